#!/usr/bin/env bash
# initramfs.sh - builds (and caches) the sandbox initramfs for one kernel:
# static busybox, our /init, and the kernel's own virtio and 9p modules in
# dependency order. Everything else comes from the host root over 9p.
# Prints the path of the cpio archive.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source=kernels.sh
. "$here/kernels.sh"
kver=${1:?usage: initramfs.sh <kernel release>}
modroot=$(sandbox_modules_root "$kver")
busybox=$(command -v busybox || true)
if [ -z "$busybox" ] || [[ "$(ldd "$busybox" 2>&1 || true)" != *"not a dynamic"* ]]; then
	echo "sandbox: a static busybox is needed (apt-get install busybox-static; 'make deps' does)" >&2
	exit 1
fi
if [ ! -d "$modroot/lib/modules/$kver" ]; then
	echo "sandbox: no modules for $kver in $modroot/lib/modules (install linux-image-$kver)" >&2
	exit 1
fi

wanted="virtio_pci 9pnet_virtio 9p"
key=$(cat "$here/init" "$0" | sha256sum | cut -c1-16)
out=$top/out/sandbox/initramfs-$kver-$key.cpio.gz
if [ -s "$out" ]; then
	echo "$out"
	exit 0
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,host,results,mnt,lib/modules}
touch "$stage/lib/modules/load-order"
cp "$busybox" "$stage/bin/busybox"
cp "$here/init" "$stage/init"
chmod 755 "$stage/init"

# Resolve dependencies depth first so each module follows what it needs.
declare -A seen=()
order=()
add_module() {
	local name=$1 dep path
	[ -n "${seen[$name]:-}" ] && return 0
	seen[$name]=1
	path=$(modinfo -b "$modroot" -k "$kver" -n "$name" 2>/dev/null) || {
		echo "sandbox: module $name not found for $kver" >&2
		exit 1
	}
	[ "$path" = "(builtin)" ] && return 0
	for dep in $(modinfo -b "$modroot" -k "$kver" -F depends "$name" | tr ',' ' '); do
		add_module "$dep"
	done
	order+=("$path")
}
for m in $wanted; do add_module "$m"; done
for path in "${order[@]}"; do
	base=$(basename "$path")
	case "$base" in
	*.ko.xz) xz -dc "$path" >"$stage/lib/modules/${base%.xz}" ;;
	*.ko.zst) zstd -qdc "$path" >"$stage/lib/modules/${base%.zst}" ;;
	*.ko.gz) gzip -dc "$path" >"$stage/lib/modules/${base%.gz}" ;;
	*) cp "$path" "$stage/lib/modules/$base" ;;
	esac
	echo "${base%.ko*}.ko" >>"$stage/lib/modules/load-order"
done

mkdir -p "$(dirname "$out")"
rm -f "$top"/out/sandbox/initramfs-"$kver"-*.cpio.gz
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
