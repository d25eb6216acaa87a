#!/usr/bin/env bash
# test.sh - the whole test run behind `make test`: host unit and install
# tests (npm package, prebuilds, Node runtimes), the compile matrix (5.10 to experimental's release candidate, arm64
# and armhf: scripts/kernels/matrix.sh), then the guest suite (vitest against
# the real module, v4l2-compliance, real clients) and the short torture suite
# in QEMU guests per Debian kernel (6.1, 6.12 and the newest 7.x), and a
# subset of the guest suite on 5.10.
# Ends with the line "N passed, N failed, N skipped".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$top/out/test
rm -rf "$out"
mkdir -p "$out"
kernels=${TEST_KERNELS-$(. sandbox/kernels.sh && echo "$(sandbox_test_kernels) $(sandbox_new_kernels)")}
subset_kernels=${TEST_SUBSET_KERNELS-$(. sandbox/kernels.sh && sandbox_subset_kernels)}
# The guest subset for the oldest kernel: load and unload (rmmod refused
# while open), the control device's ADD/REMOVE, a producer and a consumer
# checked by pixels, v4l2-compliance, and the idle-probe regressions (the
# CLI's verbs are kernel-independent and slow on 5.10 under emulation).
subset_files="test/guest/kmod/idle-probe.test.ts test/guest/kmod/lifecycle.test.ts test/guest/kmod/integrity.test.ts test/guest/kmod/compliance.test.ts"
guest_timeout=${GUEST_TIMEOUT:-2400}
vitest=(node node_modules/vitest/vitest.mjs run)

echo "== host unit tests"
mkdir -p "$out/unit"
"${vitest[@]}" --project unit --reporter=default --reporter=json --outputFile.json="$out/unit/vitest.json"
echo $? >"$out/unit/suite.rc"

echo "== host install tests (DKMS, signing, install targets, npm package and runtimes)"
mkdir -p "$out/host"
"${vitest[@]}" --project host --reporter=default --reporter=json --outputFile.json="$out/host/vitest.json"
echo $? >"$out/host/suite.rc"

# Every kernel line users run, compiled with W=1 in its suite's chroot (the
# kernel cache in out/kernels/ is made first when missing).
echo "== compile matrix"
t0=$SECONDS
scripts/kernels/matrix.sh "$out/matrix"
echo "== compile matrix took $((SECONDS - t0)) s"

# The guest runs the compiled CLI (dist/) as real users do, and the C test
# programs built on the host (it cannot write to the project).
echo "== build (tsc, guest test programs)"
npm run --silent build || echo "build failed" >&2
make -s -C test/guest/progs || echo "building test/guest/progs failed" >&2

# One guest boot per kernel and suite: the guest suite, then the short form
# of the torture suite (its own boot, so its kernel log is judged alone).
guest_suite() {
	local name=$1 k=$2 project=$3 dir=$out/$1-$2
	shift 3
	local files=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do files+=("$1"); shift; done
	shift
	mkdir -p "$dir"
	echo "== $name tests on kernel $k"
	local t0=$SECONDS
	sandbox/run --kernel "$k" --timeout "$guest_timeout" --results "$dir" "$@" -- \
		"${vitest[@]}" --configLoader runner --project "$project" --reporter=default --reporter=json --outputFile.json="$dir/vitest.json" "${files[@]}"
	echo $? >"$dir/suite.rc"
	echo "== $name tests on kernel $k took $((SECONDS - t0)) s"
}
# The browser tests, the slowest, run on the newest kernel only (the last).
newest=$(echo $kernels | awk '{print $NF}')
for k in $kernels; do
	if [ "$k" = "$newest" ]; then
		guest_suite guest "$k" guest --
	else
		guest_suite guest "$k" guest -- --env V4L2L_BROWSER_TESTS=0
	fi
	guest_suite torture "$k" torture -- --env TORTURE=short
done
for k in $subset_kernels; do
	# shellcheck disable=SC2086
	guest_suite guest-subset "$k" guest $subset_files --
done

node scripts/summarize-tests.mjs "$out"
