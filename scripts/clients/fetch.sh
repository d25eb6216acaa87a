#!/usr/bin/env bash
# fetch.sh - the distributions' own client programs that the guest tests run
# beside Debian 12's installed ones, unpacked (never installed) into
# out/clients/<name>/ (gitignored, rebuilt when missing):
#   ctl-0.15.0   Debian 13 (trixie) v4l2loopback-utils: the C v4l2loopback-ctl
#   ctl-0.15.4   sid's v4l2loopback-utils (the newest upstream release)
#   ctl-0.12.7   Debian 12 (bookworm) v4l2loopback-utils (a shell script)
#   v4l-utils    the newest v4l-utils of Debian's suites (v4l2-compliance)
# Each gets bin/<program>, a wrapper that runs it with the host's loader when
# the host's glibc is new enough, else with the unpacked loader and
# libraries of its own suite (ld-linux-x86-64.so.2 --library-path ...).
# The packages come through a private apt configuration (kapt_private):
# the machine's apt sources are never touched. Run by scripts/deps.sh.
#   scripts/clients/fetch.sh          fetch what is missing
#   scripts/clients/fetch.sh --force  fetch everything again
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# kwrite_sources: a deb822 file for the archive the machine itself uses
# shellcheck source=../kernels/lib.sh
. "$top/scripts/kernels/lib.sh"
cache=$top/out/clients
suites="bookworm trixie sid experimental"

log() { echo "clients: $*" >&2; }
die() {
	log "$*"
	exit 1
}

# The version of package $1 in suite $2 (the newest over all suites if $2 is
# "newest").
version_in() {
	apt-cache madison "$1" | awk -F'|' -v s="$2" '
		{ gsub(/ /, "", $2); split($3, a, " "); split(a[2], b, "/") }
		s == "newest" || b[1] == s { print $2 }' | sort -V | tail -n 1
}

# Downloads packages "$pkg=$ver" ($2..) and unpacks them into $1/root.
unpack() {
	local dir=$1 deb
	shift
	mkdir -p "$dir/debs" "$dir/root"
	(cd "$dir/debs" && apt-get download -qq "$@" >/dev/null) || die "apt-get download $* failed"
	for deb in "$dir"/debs/*.deb; do
		dpkg-deb -x "$deb" "$dir/root"
	done
}

# Writes $1/bin/<prog> for programs $2..: with the unpacked loader and
# libraries when a glibc was unpacked along (the program needs a newer one
# than the host's), else with the host's loader. Each wrapper must run.
wrap() {
	local dir=$1 prog path libs mode rc msg
	shift
	mkdir -p "$dir/bin"
	libs=$dir/root/usr/lib/x86_64-linux-gnu
	for prog in "$@"; do
		path=$dir/root/usr/bin/$prog
		[ -x "$path" ] || die "$path is missing from the unpacked packages"
		mode=host
		[ -e "$libs/libc.so.6" ] && mode=own
		# paths relative to the wrapper: the cache may be seen elsewhere
		{
			echo '#!/bin/sh'
			echo "# $prog of $(basename "$dir"), written by scripts/clients/fetch.sh ($mode loader)"
			echo 'root=$(cd "$(dirname "$0")/../root" && pwd)'
			if [ "$mode" = own ]; then
				echo "lib=\$root/usr/lib/x86_64-linux-gnu"
				echo "exec \"\$lib/ld-linux-x86-64.so.2\" --library-path \"\$lib\" \"\$root/usr/bin/$prog\" \"\$@\""
			else
				echo "exec \"\$root/usr/bin/$prog\" \"\$@\""
			fi
		} >"$dir/bin/$prog"
		chmod +x "$dir/bin/$prog"
		# it must start (its exit code for --version varies: 0.12.7 says 1)
		rc=0
		msg=$("$dir/bin/$prog" --version 2>&1 </dev/null) || rc=$?
		if [ "$rc" -ge 126 ] || grep -q 'GLIBC_[0-9.]*. not found' <<<"$msg"; then
			die "$dir/bin/$prog does not run: $msg"
		fi
		log "$(basename "$dir")/bin/$prog: $mode loader"
	done
}

# fetch <name> <suite> <programs> <packages...>: one cache folder, made
# afresh unless it is complete (its stamp file names what it holds).
fetch() {
	local name=$1 suite=$2 progs=$3 dir=$cache/$1 want=() p v
	shift 3
	for p in "$@"; do
		v=$(version_in "$p" "$suite")
		[ -n "$v" ] || die "no $p in $suite"
		want+=("$p=$v")
	done
	if [ "$force" = 0 ] && [ -e "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "${want[*]}" ]; then
		return 0
	fi
	log "$name: ${want[*]}"
	rm -rf "$dir"
	unpack "$dir" "${want[@]}"
	# shellcheck disable=SC2086
	wrap "$dir" $progs
	echo "${want[*]}" >"$dir/stamp"
}

force=0
[ "${1:-}" = --force ] && force=1
mkdir -p "$cache"
exec {lock}>"$cache/.lock"
flock "$lock"
if [ "$force" = 1 ]; then rm -f "$cache/apt/updated"; fi
# shellcheck disable=SC2086
kapt_private "$cache/apt" $suites

# The C tool needs only libc: sid's (glibc 2.38+) comes along for the newest.
fetch ctl-0.15.0 trixie v4l2loopback-ctl v4l2loopback-utils
fetch ctl-0.15.4 sid v4l2loopback-ctl v4l2loopback-utils libc6
fetch ctl-0.12.7 bookworm v4l2loopback-ctl v4l2loopback-utils
# v4l2-compliance with its own v4l libraries, glibc and C++ runtime.
newest_v4l=$(version_in v4l-utils newest)
v4l_suite=$(apt-cache madison v4l-utils | awk -F'|' -v v="$newest_v4l" '{ gsub(/ /, "", $2); split($3, a, " "); split(a[2], b, "/") } $2 == v { print b[1]; exit }')
fetch v4l-utils "$v4l_suite" "v4l2-compliance v4l2-ctl" \
	v4l-utils libv4l-0t64 libv4l2rds0t64 libv4lconvert0t64 libc6 libstdc++6 libgcc-s1
