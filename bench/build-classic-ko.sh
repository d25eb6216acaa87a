#!/usr/bin/env bash
# build-classic-ko.sh - builds the classic v4l2loopback module that Debian 12
# ships (package v4l2loopback-dkms, 0.12.7) for the sandbox kernels, to run
# `make bench MODULE='out/bench/classic/%k/v4l2loopback.ko'` against it. The
# package is only downloaded and unpacked (not installed: no DKMS hook runs).
# Kernels from 6.8 on lack strlcpy(), which 0.12.7 calls: there it is built
# with strscpy() in its place when the first build stops there (same
# arguments; 0.12.7 ignores the result).
# Prints the .ko path for each kernel release given (default: 6.1 and 6.12).
# usage: bench/build-classic-ko.sh [release|6.1|6.12 ...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/sandbox/kernels.sh"
kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || read -r -a kernels <<<"$(sandbox_test_kernels)"
base=$top/out/bench/classic
pkg=$base/pkg
mkdir -p "$pkg"
if ! ls "$pkg"/v4l2loopback-dkms_*.deb >/dev/null 2>&1; then
	(cd "$pkg" && apt-get download v4l2loopback-dkms) >&2
fi
rm -rf "$pkg/root"
dpkg-deb -x "$pkg"/v4l2loopback-dkms_*.deb "$pkg/root"
src=$(ls -d "$pkg"/root/usr/src/v4l2loopback-*)
for k in "${kernels[@]}"; do
	kver=$(sandbox_resolve_kernel "$k")
	out=$base/$kver
	rm -rf "$out"
	mkdir -p "$out"
	cp -r "$src"/. "$out"
	build() { make -C "/lib/modules/$kver/build" M="$out" KCFLAGS="$1" modules >"$out/build.log" 2>&1; }
	if ! build "" && ! { grep -q "strlcpy" "$out/build.log" && build -Dstrlcpy=strscpy; }; then
		cat "$out/build.log" >&2
		exit 1
	fi
	echo "$out/v4l2loopback.ko"
done
