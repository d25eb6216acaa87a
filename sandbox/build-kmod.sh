#!/usr/bin/env bash
# build-kmod.sh - builds kmod/ for one kernel release in out/kmod/<release>/,
# so that modules for several kernels can coexist. Prints the .ko path.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=kernels.sh
. "$top/sandbox/kernels.sh"
# shellcheck source=../scripts/kernels/lib.sh
. "$top/scripts/kernels/lib.sh"
kver=${1:?usage: build-kmod.sh <kernel release>}
# An external kernel of the kernel cache needs its suite's compiler: build
# in that suite's chroot.
if sandbox_is_ext_kernel "$kver"; then
	exec "$top/scripts/kernels/kbuild.sh" "$(sandbox_ext_suite "$kver")" "/lib/modules/$kver/build" "$top/out/kmod/$kver" ${KBUILD_FLAGS:-}
fi
kdir=$(sandbox_modules_root "$kver")/lib/modules/$kver/build
if [ ! -e "$kdir/Makefile" ]; then
	echo "sandbox: no kernel headers for $kver at $kdir (install linux-headers-$kver; 'make deps' does)" >&2
	exit 1
fi
out=$top/out/kmod/$kver
mkdir -p "$out"
# One build per kernel at a time (several engineers or test runs may overlap).
exec 9>"$out.lock"
flock 9
# kbuild runs outside kmod/, on a mirror of its sources
kmod_mirror "$out"
log=$out/build.log
if ! make -C "$kdir" M="$out" modules ${KBUILD_FLAGS:-} >"$log" 2>&1; then
	cat "$log" >&2
	echo "sandbox: building the module for $kver failed" >&2
	exit 1
fi
if grep -E '(warning|error):' "$log" >&2; then
	echo "sandbox: the module build for $kver printed warnings (see above)" >&2
	exit 1
fi
echo "$out/v4l2loopback.ko"
