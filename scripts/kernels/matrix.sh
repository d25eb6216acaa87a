#!/usr/bin/env bash
# matrix.sh - the compile matrix of `make test`: kmod/ built with W=1 against
# every kernel line users run (5.10 to experimental's release candidate, and
# arm64/armhf cross builds), each in the chroot of its suite with that
# suite's compiler. Any compiler or modpost warning fails an entry. Prints
# one line per entry and writes <out dir>/results.json, which
# scripts/summarize-tests.mjs counts (one test per entry).
#   scripts/kernels/matrix.sh <out dir> [name filter (grep -E)]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
out=${1:?usage: matrix.sh <out dir> [filter]}
filter=${2:-.}
mkdir -p "$out"
out=$(cd "$out" && pwd -P)

newest_host() {
	ls -d /lib/modules/"$1"*/build 2>/dev/null | sed 's|^/lib/modules/||; s|/build$||' | sort -V | tail -n 1
}

cache_error=""
if ! "$here/cache.sh" 2>"$out/cache.log"; then
	cache_error=$(grep '^kernels: ' "$out/cache.log" | tail -n 1)
	cat "$out/cache.log" >&2
fi
K510="" K612T="" K7="" KSID="" KEXP="" KSRC=""
# shellcheck disable=SC1091
[ -s "$kcache/picks.env" ] && . "$kcache/picks.env"
h61=$(newest_host 6.1.)
h612=$(newest_host 6.12.)
cross_args() { # arch, triplet
	echo "ARCH=$1 CROSS_COMPILE=$2- CC=$2-gcc-14"
}

# name|where|kernel dir|extra make args
entries=(
	"5.10 $K510 (bullseye, gcc-10)|bullseye|/lib/modules/$K510/build|"
	"6.1 $h61 (bookworm, host gcc-12)|host|/lib/modules/$h61/build|"
	"6.12 $h612 (bookworm, host gcc-12)|host|/lib/modules/$h612/build|"
	"6.12 $K612T (trixie, gcc-14)|trixie|/lib/modules/$K612T/build|"
	"7.x $K7 (trixie-backports, gcc-14)|trixie|/lib/modules/$K7/build|"
	"sid $KSID (gcc-16)|sid|/lib/modules/$KSID/build|"
	"experimental $KEXP (gcc-16)|sid|/lib/modules/$KEXP/build|"
	"arm64 linux-source-$KSRC defconfig (cross gcc-14)|trixie|/build/k-arm64|$(cross_args arm64 aarch64-linux-gnu)"
	"armhf linux-source-$KSRC multi_v7_defconfig (cross gcc-14)|trixie|/build/k-arm|$(cross_args arm arm-linux-gnueabihf)"
)

json=()
i=0
for e in "${entries[@]}"; do
	IFS='|' read -r name where kdir args <<<"$e"
	i=$((i + 1))
	echo "$name" | grep -qE -- "$filter" || continue
	dir=$out/$i
	rm -rf "$dir" && mkdir -p "$dir"
	t0=$SECONDS
	status=passed msg=""
	if [ "$kdir" = /lib/modules//build ] ||
		{ [ "$where" = host ] && [ ! -e "$kdir/Makefile" ]; } ||
		{ [ "$where" != host ] && ! kchroot_has "$where" "$kdir/Makefile"; }; then
		status=failed msg="not built: no kernel tree $kdir in $where${cache_error:+ (the kernel cache failed: $cache_error)}"
	else
		# shellcheck disable=SC2086
		if ! KBUILD_FRESH=1 "$here/kbuild.sh" "$where" "$kdir" "$dir" -j2 W=1 $args >"$dir/kbuild.out" 2>&1; then
			status=failed
			msg=$(grep -E 'warning|error|WARNING|ERROR|kernels:' "$dir/kbuild.out" | head -n 3 | tr '\n' ' ')
		fi
	fi
	secs=$((SECONDS - t0))
	echo "matrix: $name: $status (${secs} s)${msg:+: $msg}"
	[ "$status" = passed ] || sed 's/^/    /' "$dir/kbuild.out" 2>/dev/null | head -n 40
	json+=("$(node -e 'process.stdout.write(JSON.stringify({name: process.argv[1], status: process.argv[2], message: process.argv[3], seconds: +process.argv[4]}))' \
		"compile $name" "$status" "$msg" "$secs")")
done
(IFS=,; echo "{\"results\":[${json[*]}]}") >"$out/results.json"
grep -q '"status":"failed"' "$out/results.json" && exit 1
exit 0
