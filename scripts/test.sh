#!/usr/bin/env bash
# test.sh - the whole test run behind `make test`, in two chains that run
# at once so that the 2-core machine is busy throughout:
#   first chain   the kernel-facing guest tests (test/guest/kmod/: the
#                 driver, v4l2-compliance, real clients) on 6.1 and 6.12,
#                 then (once the kernel cache exists) the whole guest suite
#                 on the newest 7.x
#   second chain  at nice 19: the kernel cache (scripts/kernels/cache.sh),
#                 the compile matrix (5.10 to experimental's release
#                 candidate, arm64, armhf), the host unit tests and the
#                 install tests (DKMS, signing, npm package, Node runtimes);
#                 then, at normal priority, the short torture suite on the
#                 newest 7.x and the kernel-facing tests on 5.10
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

# --- second chain: everything that needs no guest first, at the lowest
# priority so that the first chain's guest keeps its pace; its output is
# printed at the end.
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

# --- first chain
# The guest runs the compiled CLI (dist/) as real users do, and the C
# programs built on the host (it cannot write to the project): the test
# programs and the benchmark's driver.
echo "== build (tsc, guest test programs, bench driver)"
npm run --silent build || echo "build failed" >&2
make -s -C test/guest/progs || echo "building test/guest/progs failed" >&2
make -s -C bench || echo "building the bench driver failed" >&2

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

# Then the guests of the second chain, which has waited for the kernel
# cache: the 7.x and 5.10 kernels come from it.
late_guests() {
	local k
	for k in $(newest_or "$full_kernels"); do guest_suite torture "$k" torture -- --env TORTURE=short; done
	for k in $late_kernel_set_kernels; do kernel_set "$k"; done
}
# newest_or LIST: LIST, with "newest" resolved (the cache must exist)
newest_or() {
	if [ "$1" = newest ]; then sandbox_new_kernels; else echo "$1"; fi
}
(
	nice -n 19 bash -c "$(declare -f took timed host_chain host_suite); $(declare -p out vitest); host_chain"
	late_guests
	took "second chain" 0
) >"$out/second-chain.log" 2>&1 &
second_pid=$!

for k in $kernel_set_kernels; do kernel_set "$k"; done
# Wait for the second chain's cache.sh (it holds the cache's lock).
scripts/kernels/cache.sh >"$out/cache-wait.log" 2>&1 || cat "$out/cache-wait.log" >&2
for k in $(newest_or "$full_kernels"); do guest_suite guest "$k" guest --; done
took "first chain" 0

wait "$second_pid"
echo "== second chain (cache, matrix, unit and install tests, then guests; ran beside the first)"
cat "$out/second-chain.log"
echo "== whole run took $SECONDS s"

node scripts/summarize-tests.mjs "$out"
