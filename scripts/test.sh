#!/usr/bin/env bash
# test.sh - the whole test run behind `make test`, in two chains that run
# at once so that the 2-core machine is busy throughout:
#   guests (foreground)  the kernel-facing guest tests (test/guest/kmod/:
#                        the driver, v4l2-compliance, real clients) on 6.1
#                        and 6.12, the kernel cache, then the whole guest
#                        suite and the short torture suite on the newest
#                        7.x, then the kernel-facing tests on 5.10
#   host (nice 19)       the kernel cache (scripts/kernels/cache.sh), the
#                        compile matrix (5.10 to experimental's release
#                        candidate, arm64, armhf), the host unit tests and
#                        the install tests (DKMS, signing, npm package,
#                        Node runtimes)
# Why this split and what it costs: docs/sandbox.md, "How long make test
# takes". Ends with the line "N passed, N failed, N skipped".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$top/out/test
rm -rf "$out"
mkdir -p "$out"
# shellcheck source=../sandbox/kernels.sh
. sandbox/kernels.sh
# Kernels that get the kernel-facing guest tests, and the ones (the newest)
# that get everything: the user-space tests (CLI, library, bench), the
# browsers and the short torture suite. A 7.x name is resolved once the
# kernel cache exists.
kernel_set_kernels=${TEST_KERNELS-$(sandbox_test_kernels)}
late_kernel_set_kernels=${TEST_SUBSET_KERNELS-$(sandbox_subset_kernels)}
full_kernels=${TEST_FULL_KERNELS-newest}
guest_timeout=${GUEST_TIMEOUT:-2400}
vitest=(node node_modules/vitest/vitest.mjs run)

took() { echo "== $1 took $(($SECONDS - $2)) s"; }
# timed TITLE COMMAND...: runs it between "== TITLE" and its time; its status
timed() {
	local title=$1 t0=$SECONDS rc
	shift
	echo "== $title"
	"$@"
	rc=$?
	took "$title" $t0
	return $rc
}

# --- host chain: everything that needs no guest, at the lowest priority
# so that the guests' timing is theirs. Its output is printed at the end.
host_chain() {
	timed "kernel cache" scripts/kernels/cache.sh
	# Every kernel line users run, compiled with W=1 in its suite's chroot.
	timed "compile matrix" scripts/kernels/matrix.sh "$out/matrix"
	host_suite unit "host unit tests"
	host_suite host "host install tests (DKMS, signing, install targets, npm package and runtimes)"
	took "host chain" 0
}
# host_suite PROJECT TITLE: one vitest project on the host
host_suite() {
	mkdir -p "$out/$1"
	timed "$2" "${vitest[@]}" --project "$1" --reporter=default --reporter=json --outputFile.json="$out/$1/vitest.json"
	echo $? >"$out/$1/suite.rc"
}
nice -n 19 bash -c "$(declare -f took timed host_chain host_suite); $(declare -p out vitest); host_chain" >"$out/host-chain.log" 2>&1 &
host_pid=$!

# --- guest chain
# The guest runs the compiled CLI (dist/) as real users do, and the C test
# programs built on the host (it cannot write to the project).
echo "== build (tsc, guest test programs)"
npm run --silent build || echo "build failed" >&2
make -s -C test/guest/progs || echo "building test/guest/progs failed" >&2

# One guest boot per kernel and suite (so that each kernel log is judged
# alone): guest_suite NAME KERNEL PROJECT [FILES...] -- [sandbox/run options]
guest_suite() {
	local name=$1 k=$2 project=$3 dir=$out/$1-$2
	shift 3
	local files=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do files+=("$1"); shift; done
	shift
	mkdir -p "$dir"
	timed "$name tests on kernel $k" sandbox/run --kernel "$k" --timeout "$guest_timeout" --results "$dir" "$@" -- \
		"${vitest[@]}" --configLoader runner --project "$project" --reporter=default --reporter=json --outputFile.json="$dir/vitest.json" "${files[@]}"
	echo $? >"$dir/suite.rc"
}
# The kernel-facing tests: the driver by itself, v4l2-compliance, the
# clients (ffmpeg, GStreamer) and the distribution's v4l2loopback-ctl, with
# one version of each tool and no browser (test/guest/helpers/run-scope.ts).
kernel_set() {
	guest_suite kernel-set "$1" guest test/guest/kmod/ test/guest/cli/classic-ctl.test.ts -- --env V4L2L_KERNEL_SET=1
}

for k in $kernel_set_kernels; do kernel_set "$k"; done
# The 7.x and 5.10 kernels come from the cache: wait for the host chain's
# cache.sh (it holds the cache's lock), then resolve "newest".
scripts/kernels/cache.sh >"$out/cache-wait.log" 2>&1 || cat "$out/cache-wait.log" >&2
[ "$full_kernels" = newest ] && full_kernels=$(sandbox_new_kernels)
for k in $full_kernels; do
	guest_suite guest "$k" guest --
	guest_suite torture "$k" torture -- --env TORTURE=short
done
for k in $late_kernel_set_kernels; do kernel_set "$k"; done
guest_seconds=$SECONDS

wait "$host_pid"
echo "== host chain (cache, matrix, unit and install tests; ran beside the guests)"
cat "$out/host-chain.log"
echo "== guest chain took $guest_seconds s (the host chain's time is above)"

node scripts/summarize-tests.mjs "$out"
