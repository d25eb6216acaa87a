#!/usr/bin/env bash
# debug-kernel.sh - builds (once, cached in out/debug-kernel/) a Linux 6.1
# kernel from Debian's linux-source-6.1 with KASAN, lockdep, kmemleak and
# the atomic-sleep checker, configured from sandbox/debug-kernel.config, so
# the sandbox can boot it with `--kernel debug` (make torture KERNEL=debug).
# Prints the kernel release. Rebuilds only when the config or source change.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
base=$top/out/debug-kernel
tarball=/usr/src/linux-source-6.1.tar.xz
fragment=$top/sandbox/debug-kernel.config

"$top/scripts/deps.sh" debug-kernel
key=$( (cat "$fragment" "$0"; dpkg-query -W -f='${Version}' linux-source-6.1) | sha256sum | cut -c1-16)
if [ -s "$base/release" ] && [ "$(cat "$base/key" 2>/dev/null)" = "$key" ]; then
	cat "$base/release"
	exit 0
fi

mkdir -p "$base"
exec 9>"$base/.lock"
flock 9
start=$(date +%s)
src=$base/src obj=$base/obj
if [ ! -e "$src/Makefile" ] || [ "$tarball" -nt "$src/Makefile" ]; then
	echo "debug-kernel: unpacking $tarball" >&2
	rm -rf "$src" "$obj"
	mkdir -p "$src"
	tar -xJf "$tarball" -C "$src" --strip-components=1
fi
mkdir -p "$obj"
kmake() { make -C "$src" O="$obj" -j"$(nproc)" "$@"; }
echo "debug-kernel: configuring (allnoconfig + $(basename "$fragment"))" >&2
KCONFIG_ALLCONFIG=$fragment kmake -s allnoconfig >/dev/null
# Every option the fragment asks for must have survived Kconfig's
# dependency resolution; a silently dropped checker would be worse than none.
dropped=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$fragment" | while IFS= read -r line; do
	name=${line%%=*} value=${line#*=}
	if [ "$value" = n ]; then
		grep -qx "# $name is not set" "$obj/.config" || grep -qx "$name=n" "$obj/.config" ||
			! grep -q "^$name=" "$obj/.config" || echo "$line"
	else
		grep -qxF "$line" "$obj/.config" || echo "$line"
	fi
done)
if [ -n "$dropped" ]; then
	echo "debug-kernel: Kconfig dropped these options (missing dependencies?):" >&2
	echo "$dropped" >&2
	exit 1
fi
echo "debug-kernel: building (this takes a while on few cores)" >&2
kmake -s bzImage modules >"$base/build.log" 2>&1 || {
	tail -n 40 "$base/build.log" >&2
	echo "debug-kernel: build failed (full log: $base/build.log)" >&2
	exit 1
}
release=$(kmake -s kernelrelease)
rm -rf "$base/modules"
kmake -s INSTALL_MOD_PATH="$base/modules" modules_install >/dev/null
# modules_install points build/ at the source tree; out-of-tree modules need
# the object tree, which carries the configuration and generated headers.
ln -sfn "$obj" "$base/modules/lib/modules/$release/build"
cp "$obj/arch/x86/boot/bzImage" "$base/bzImage"
echo "$release" >"$base/release"
echo "$key" >"$base/key"
echo "debug-kernel: built $release in $(($(date +%s) - start)) s" >&2
echo "$(($(date +%s) - start))" >"$base/build-seconds"
echo "$release"
