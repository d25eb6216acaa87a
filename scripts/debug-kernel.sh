#!/usr/bin/env bash
# debug-kernel.sh - builds (once, cached) a Linux kernel from Debian's
# linux-source with KASAN, lockdep, kmemleak and the atomic-sleep checker,
# configured from sandbox/debug-kernel.config, so the sandbox can boot it:
#   scripts/debug-kernel.sh        6.1 (linux-source-6.1, installed on demand),
#                                  in out/debug-kernel/, `--kernel debug`
#   scripts/debug-kernel.sh 7.3    the linux-source-7.3 of the kernel cache's
#                                  trixie chroot (scripts/kernels/cache.sh),
#                                  in out/debug-kernel-7.3/, `--kernel debug-7.3`
# Built with the host's compiler. Prints the kernel release. Rebuilds only
# when the config, this script or the source change.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
series=${1:-6.1}
fragment=$top/sandbox/debug-kernel.config
# shellcheck source=../sandbox/kernels.sh
. "$top/sandbox/kernels.sh"
if [ "$series" = 6.1 ]; then
	base=$(sandbox_debug_dir_of debug)
	tarball=/usr/src/linux-source-6.1.tar.xz
	"$top/scripts/deps.sh" debug-kernel
else
	base=$(sandbox_debug_dir_of "debug-$series")
	"$top/scripts/deps.sh" debug-kernel-tools
	"$top/scripts/kernels/cache.sh" >&2
	tarball=$top/out/kernels/chroot/trixie/usr/src/linux-source-$series.tar.xz
	[ -s "$tarball" ] || { echo "debug-kernel: no $tarball (the kernel cache has linux-source-7.x only for the newest 7.x)" >&2; exit 1; }
fi
key=$( (cat "$fragment" "$0"; stat -c '%n %s %Y' "$tarball") | sha256sum | cut -c1-16)
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
