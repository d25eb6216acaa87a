#!/usr/bin/env bash
# cache.sh - makes (or reuses) the external-kernel cache in out/kernels/:
# the kernel versions picked from the Debian archive (picks.env), one
# minimal build chroot per suite with the kernel headers and compilers of
# that suite, arm64/armhf kernel trees prepared for cross builds, and the
# images and modules of the extra kernels the sandbox boots. Everything is
# rebuilt when missing and reused when present; a kernel that cannot be
# fetched fails the run, naming it.
#   scripts/kernels/cache.sh            make what is missing
#   scripts/kernels/cache.sh --refresh  pick versions again (newest in the archive)
# Needs root (debootstrap, chroot) and Debian's archive through apt.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || kdie "making the kernel cache needs root (debootstrap and chroot)"
if [ "${1:-}" = --refresh ]; then
	rm -f "$kapt/updated" "$kcache/picks.env"
fi
mkdir -p "$kcache"
exec 8>"$kcache/cache.lock"
flock 8
start=$SECONDS
kapt_setup

# --- 1. versions: the newest of each line that has everything we need
pick() {
	local rel="" n
	# 5.10: newest ABI of bullseye(-security) with headers and an image.
	for n in $(kapt_names '^linux-headers-5\.10\.0-[0-9]+-amd64$' | sed 's/^linux-headers-//' | sort -V -r); do
		kapt_has "linux-image-$n-unsigned" && { rel=$n; break; }
	done
	[ -n "$rel" ] || kdie "no Debian 5.10 kernel (bullseye) with both linux-headers-5.10.0-N-amd64 and its image in the archive"
	echo "K510=$rel"
	# 6.12 of trixie (gcc-14): compiled only.
	rel=$(kapt_names '^linux-headers-6\.12\.[0-9]+\+deb13-amd64$' | sed 's/^linux-headers-//' | tail -n 1)
	[ -n "$rel" ] || kdie "no trixie 6.12 kernel headers (linux-headers-6.12.N+deb13-amd64) in the archive"
	echo "K612T=$rel"
	# Newest 7.x of trixie-backports with headers, modules, image and base.
	rel=""
	for n in $(kapt_names '^linux-headers-7\.[0-9]+\.[0-9]+\+deb13-amd64$' | sed 's/^linux-headers-//' | sort -V -r); do
		kapt_has "linux-modules-$n" && kapt_has "linux-binary-$n" && kapt_has "linux-base-$n" && { rel=$n; break; }
	done
	[ -n "$rel" ] || kdie "no 7.x kernel of trixie-backports with headers, linux-modules, linux-binary and linux-base in the archive"
	echo "K7=$rel"
	n=$(kapt_meta_headers sid) || kdie "sid's linux-headers-amd64 was not found in the archive"
	echo "KSID=${n#linux-headers-}"
	n=$(kapt_meta_headers experimental) || kdie "experimental's linux-headers-amd64 was not found in the archive"
	echo "KEXP=${n#linux-headers-}"
	# Cross builds: the linux-source of the newest 7.x series.
	n=$(echo "$rel" | cut -d. -f1,2)
	kapt_has "linux-source-$n" || kdie "linux-source-$n (for the arm64/armhf cross builds) is not in the archive"
	echo "KSRC=$n"
}
if [ ! -s "$kcache/picks.env" ]; then
	pick >"$kcache/picks.env.tmp"
	mv "$kcache/picks.env.tmp" "$kcache/picks.env"
fi
# shellcheck disable=SC1091
. "$kcache/picks.env"
klog "picked 5.10=$K510 6.12/trixie=$K612T 7.x=$K7 sid=$KSID experimental=$KEXP source=linux-source-$KSRC"

# --- 2. debootstrap (unpacked from trixie, not installed)
tools=$kcache/tools
if [ ! -x "$tools/root/usr/sbin/debootstrap" ]; then
	rm -rf "$tools" && mkdir -p "$tools"
	(cd "$tools" && apt-get download -qq debootstrap/trixie >/dev/null) || kdie "cannot download debootstrap from trixie"
	dpkg -x "$tools"/debootstrap_*.deb "$tools/root"
fi

# Chroot of suite $1 with sources $2 (space separated) and packages $3..
# (a package may name its suite: name/suite). Made once, packages added when
# the list changes.
make_chroot() {
	local suite=$1 sources=$2 root=$kcache/chroot/$1 key log=$kcache/chroot/$1.log
	shift 2
	key=$(echo "$sources $*" | sha256sum | cut -c1-16)
	[ "$(cat "$root.stamp" 2>/dev/null)" = "$key" ] && return 0
	mkdir -p "$kcache/chroot"
	if [ ! -x "$root/usr/bin/apt-get" ] || [ ! -e "$root.bootstrapped" ]; then
		mountpoint -q "$root/proc" && umount "$root/proc"
		rm -rf "$root"
		klog "debootstrap $suite (log: $log)"
		DEBOOTSTRAP_DIR=$tools/root/usr/share/debootstrap nice -n 10 "$tools/root/usr/sbin/debootstrap" \
			--variant=minbase --include=make,kmod,xz-utils,ca-certificates \
			--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
			"$suite" "$root" "$(kmirror)" >"$log" 2>&1 || { tail -n 20 "$log" >&2; kdie "debootstrap of $suite failed"; }
		touch "$root.bootstrapped"
	fi
	rm -f "$root/etc/apt/sources.list"
	# shellcheck disable=SC2086
	kwrite_sources "$root/etc/apt/sources.list.d/kernels.sources" $sources
	cat >"$root/etc/apt/apt.conf.d/99kernels" <<'EOF'
Acquire::Check-Valid-Until "false";
Acquire::Languages "none";
APT::Install-Recommends "false";
Dpkg::Options { "--force-confdef"; "--force-confold"; };
EOF
	# Headers that pull in their image need no initramfs here.
	mkdir -p "$root/etc/initramfs-tools"
	echo update_initramfs=no >"$root/etc/initramfs-tools/update-initramfs.conf"
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	klog "$suite: apt-get install $*"
	{ kchroot "$suite" apt-get update -qq && kchroot "$suite" nice -n 10 apt-get install -y -qq "$@"; } >>"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; kdie "$suite chroot: installing $* failed (log: $log); if the archive dropped one, run scripts/kernels/cache.sh --refresh"; }
	kchroot "$suite" apt-get clean
	echo "$key" >"$root.stamp"
}

# The three chroots are independent: make them side by side.
pids=()
make_chroot bullseye "bullseye bullseye-security" "linux-headers-$K510" &
pids+=($!)
make_chroot trixie "trixie trixie-security trixie-backports" \
	"linux-headers-$K612T" "linux-headers-$K7" "linux-source-$KSRC" \
	gcc libc6-dev bc bison flex libssl-dev libelf-dev cpio \
	gcc-14-aarch64-linux-gnu gcc-14-arm-linux-gnueabihf dkms &
pids+=($!)
make_chroot sid "sid experimental" "linux-headers-$KSID" "linux-headers-$KEXP/experimental" &
pids+=($!)

# --- 3. images and modules of the kernels the sandbox boots (while the
# chroots are made): out/kernels/boot/<release>/{vmlinuz,root/lib/modules/<release>}
# plus the suite whose chroot builds modules for it.
boot_kernel() {
	local rel=$1 suite=$2 dir=$kcache/boot/$1 tmp
	shift 2
	[ -s "$dir/vmlinuz" ] && [ -e "$dir/suite" ] && return 0
	tmp=$kcache/boot/.tmp-$rel
	rm -rf "$tmp" "$dir" && mkdir -p "$tmp/debs" "$tmp/x" "$dir/root/lib/modules"
	klog "downloading $* (boot kernel $rel)"
	if ! (cd "$tmp/debs" && apt-get download -qq "$@" >/dev/null); then
		# The lists may be older than the archive: update them once more.
		apt-get update -qq >/dev/null || true
		(cd "$tmp/debs" && apt-get download -qq "$@" >/dev/null) ||
			kdie "cannot download kernel $rel ($*); if the archive dropped it, run scripts/kernels/cache.sh --refresh"
	fi
	for d in "$tmp"/debs/*.deb; do dpkg -x "$d" "$tmp/x"; done
	if [ -d "$tmp/x/usr/lib/modules/$rel" ]; then
		mv "$tmp/x/usr/lib/modules/$rel" "$dir/root/lib/modules/"
	else
		mv "$tmp/x/lib/modules/$rel" "$dir/root/lib/modules/"
	fi
	if [ -e "$dir/root/lib/modules/$rel/vmlinuz" ]; then
		mv "$dir/root/lib/modules/$rel/vmlinuz" "$dir/vmlinuz.tmp"
	else
		cp "$tmp/x/boot/vmlinuz-$rel" "$dir/vmlinuz.tmp"
	fi
	depmod -b "$dir/root" "$rel"
	rm -rf "$tmp"
	echo "$suite" >"$dir/suite"
	mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
}
boot_kernel "$K7" trixie "linux-binary-$K7" "linux-modules-$K7" "linux-base-$K7"
boot_kernel "$K510" bullseye "linux-image-$K510-unsigned"

fail=0
for p in "${pids[@]}"; do wait "$p" || fail=1; done
[ "$fail" = 0 ] || kdie "making the build chroots failed (see above)"

# --- 4. arm64 and armhf trees (defconfig + media/vivid, modules_prepare) from
# linux-source-$KSRC, in the trixie chroot.
cross_tree() {
	local arch=$1 defconfig=$2 cross=$3 o=/build/k-$1 root=$kcache/chroot/trixie log=$kcache/chroot/cross-$1.log
	[ -e "$root$o/.prepared-$KSRC-3" ] && return 0
	klog "preparing the $arch tree of linux-source-$KSRC (log: $log)"
	rm -rf "${root:?}$o"
	local mk=(nice -n 10 make -C "/build/src-$KSRC" O="$o" ARCH="$arch" CROSS_COMPILE="$cross-" CC="$cross-gcc-14" HOSTCC=gcc -j2)
	{
		kchroot trixie "${mk[@]}" "$defconfig" &&
			kchroot trixie "/build/src-$KSRC/scripts/config" --file "$o/.config" \
				-m MEDIA_SUPPORT -d MEDIA_SUPPORT_FILTER -e MEDIA_TEST_SUPPORT \
				-m VIDEO_DEV -e V4L_TEST_DRIVERS -m VIDEO_VIVID &&
			kchroot trixie "${mk[@]}" olddefconfig &&
			kchroot trixie grep -qx 'CONFIG_VIDEO_VIVID=m' "$o/.config" &&
			kchroot trixie "${mk[@]}" modules_prepare &&
			kchroot trixie grep -qx '# CONFIG_MODVERSIONS is not set' "$o/.config"
	} >"$log" 2>&1 || { tail -n 20 "$log" >&2; kdie "preparing the $arch tree of linux-source-$KSRC failed"; }
	# No vmlinux or modules are built for these trees, so modpost checks
	# the module's symbols against the export table of the same release on
	# amd64 plus every symbol the source exports from arch/$arch, kernel/,
	# lib/ and mm/ (no MODVERSIONS, so no CRCs).
	{
		cat "$kcache/chroot/trixie/usr/src/linux-headers-$K7/Module.symvers"
		(cd "$src" && grep -rhoE '\bEXPORT_SYMBOL(_GPL)?\([A-Za-z0-9_]+\)' "arch/$arch" kernel lib mm) |
			sed -E 's/^EXPORT_SYMBOL(_GPL)?\(([A-Za-z0-9_]+)\)$/0x00000000\t\2\tvmlinux\tEXPORT_SYMBOL\1\t/' | sort -u
	} | awk -F'\t' '!seen[$2]++' >"$root$o/Module.symvers"
	touch "$root$o/.prepared-$KSRC-3"
}
src=$kcache/chroot/trixie/build/src-$KSRC
if [ ! -e "$src/.unpacked" ]; then
	rm -rf "$src" && mkdir -p "$src"
	klog "unpacking linux-source-$KSRC"
	tarball=$(ls "$kcache/chroot/trixie/usr/src/linux-source-$KSRC".tar.* 2>/dev/null | head -n 1)
	[ -n "$tarball" ] || kdie "linux-source-$KSRC installed no tarball in the trixie chroot"
	nice -n 10 tar -xf "$tarball" -C "$src" --strip-components=1 \
		--exclude='*/drivers/gpu/drm/amd/include/asic_reg' ||
		kdie "unpacking linux-source-$KSRC failed"
	touch "$src/.unpacked"
fi
cross_tree arm64 defconfig aarch64-linux-gnu
cross_tree arm multi_v7_defconfig arm-linux-gnueabihf

klog "cache ready in $((SECONDS - start)) s ($kcache)"
