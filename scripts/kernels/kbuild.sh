#!/usr/bin/env bash
# kbuild.sh - builds kmod/ against one kernel tree, on the host or in a
# build chroot of the kernel cache (out/kernels/chroot/<suite>), in its own
# folder, and fails when the compiler or modpost prints any warning.
#   scripts/kernels/kbuild.sh <host|suite> <kernel dir> <out dir> [make args...]
# <kernel dir> is the path inside the chroot for a suite; <out dir> (a host
# path) receives build.log and v4l2loopback.ko. Prints the .ko path.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
where=${1:?usage: kbuild.sh <host|suite> <kernel dir> <out dir> [make args...]}
kdir=${2:?kernel dir}
out=${3:?out dir}
shift 3
mkdir -p "$out"
out=$(cd "$out" && pwd -P)
if [ "$where" = host ]; then
	root="" src=$out
else
	root=$kcache/chroot/$where
	[ -x "$root/bin/sh" ] || kdie "no $where build chroot ($root); scripts/kernels/cache.sh makes it"
	src=/build/kmod-$(basename "$out")
fi
if [ "$where" = host ]; then
	[ -e "$kdir/Makefile" ] || kdie "no kernel tree at $kdir"
else
	kchroot_has "$where" "$kdir/Makefile" || kdie "no kernel tree at $kdir in the $where chroot"
fi

# KBUILD_FRESH=1: build from scratch (so every warning shows again).
[ "${KBUILD_FRESH:-0}" = 1 ] && [ -n "$root" ] && rm -rf "${root:?}$src"
kmod_mirror "$root$src"

log=$out/build.log
rc=0
if [ "$where" = host ]; then
	nice -n 10 make -C "$kdir" M="$src" "$@" modules >"$log" 2>&1 || rc=$?
else
	kchroot "$where" nice -n 10 make -C "$kdir" M="$src" "$@" modules >"$log" 2>&1 || rc=$?
fi
if [ "$rc" != 0 ]; then
	grep -E '(error|warning|ERROR|WARNING)' "$log" | head -n 30 >&2 || tail -n 30 "$log" >&2
	kdie "the module build against $kdir${root:+ ($where chroot)} failed"
fi
# Compiler warnings ("file:line: warning:") and modpost's ("WARNING: modpost:").
if grep -E '(warning|error):|WARNING:|ERROR:' "$log" >&2; then
	kdie "the module build against $kdir${root:+ ($where chroot)} printed warnings (see above)"
fi
[ "$where" = host ] || cp "$root$src/v4l2loopback.ko" "$out/v4l2loopback.ko"
echo "$out/v4l2loopback.ko"
