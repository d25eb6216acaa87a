#!/usr/bin/env bash
# test.sh - the whole test run behind `make test`: host unit and install
# tests (npm package, prebuilds, Node runtimes), then the guest suite (vitest against the real module,
# v4l2-compliance, real clients) and the short torture suite in QEMU guests
# per Debian kernel.
# Ends with the line "N passed, N failed, N skipped".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$top/out/test
rm -rf "$out"
mkdir -p "$out"
kernels=${TEST_KERNELS:-$(. sandbox/kernels.sh && sandbox_test_kernels)}
guest_timeout=${GUEST_TIMEOUT:-1200}
vitest=(node node_modules/vitest/vitest.mjs run)

echo "== host unit tests"
mkdir -p "$out/unit"
"${vitest[@]}" --project unit --reporter=default --reporter=json --outputFile.json="$out/unit/vitest.json"
echo $? >"$out/unit/suite.rc"

echo "== host install tests (DKMS, signing, install targets, npm package and runtimes)"
mkdir -p "$out/host"
"${vitest[@]}" --project host --reporter=default --reporter=json --outputFile.json="$out/host/vitest.json"
echo $? >"$out/host/suite.rc"

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
	mkdir -p "$dir"
	echo "== $name tests on kernel $k"
	sandbox/run --kernel "$k" --timeout "$guest_timeout" --results "$dir" "$@" -- \
		"${vitest[@]}" --configLoader runner --project "$project" --reporter=default --reporter=json --outputFile.json="$dir/vitest.json"
	echo $? >"$dir/suite.rc"
}
for k in $kernels; do
	guest_suite guest "$k" guest
	guest_suite torture "$k" torture --env TORTURE=short
done

node scripts/summarize-tests.mjs "$out"
