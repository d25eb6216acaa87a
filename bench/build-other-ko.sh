#!/usr/bin/env bash
# build-other-ko.sh - builds a second copy of our module, from git HEAD and
# with other compiler flags (default KCFLAGS=-O1), for exercising
# `make bench MODULE=...` when no other v4l2loopback build is at hand.
# Prints the .ko path for each kernel release given (default: 6.1 and 6.12).
# usage: bench/build-other-ko.sh [release|6.1|6.12 ...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/sandbox/kernels.sh"
flags=${OTHER_KCFLAGS:--O1}
kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || read -r -a kernels <<<"$(sandbox_test_kernels)"
for k in "${kernels[@]}"; do
	kver=$(sandbox_resolve_kernel "$k")
	out=$top/out/bench/other/$kver
	rm -rf "$out"
	mkdir -p "$out"
	git -C "$top" archive HEAD kmod | tar -x -C "$out" --strip-components=1
	if ! make -C "/lib/modules/$kver/build" M="$out" KCFLAGS="$flags" modules >"$out/build.log" 2>&1; then
		cat "$out/build.log" >&2
		exit 1
	fi
	echo "$out/v4l2loopback.ko"
done
