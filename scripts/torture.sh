#!/usr/bin/env bash
# torture.sh - the torture suite behind `make torture`: stress, faults, a
# seeded ioctl fuzzer and memory checks (test/torture/), full length, in a
# sandbox guest per kernel. KERNEL=debug (6.1) or debug-7.3 boots the
# KASAN/lockdep/kmemleak kernel of `make debug-kernel [KVER=7.3]` (built
# first when missing).
#   scripts/torture.sh [kernel...]    default: 6.1 6.12
# Environment: TORTURE=full|short (default full), TORTURE_SEED=<n>.
# Ends with the line "N passed, N failed, N skipped".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kernels=${*:-$(. sandbox/kernels.sh && sandbox_test_kernels)}
mode=${TORTURE:-full}
out=$top/out/torture
rm -rf "$out"
mkdir -p "$out"

npm run --silent build || { echo "torture: build failed" >&2; exit 1; }
make -s -C test/guest/progs || { echo "torture: building test/guest/progs failed" >&2; exit 1; }

for k in $kernels; do
	memory=3072 timeout=3600
	if [ "$k" = debug ] || [ "${k#debug-}" != "$k" ]; then
		# shellcheck disable=SC2046
		scripts/debug-kernel.sh $([ "$k" = debug ] || echo "${k#debug-}") >/dev/null || exit 1
		# KASAN's shadow memory and slower everything.
		memory=6144 timeout=10800
	fi
	dir=$out/torture-$k
	mkdir -p "$dir"
	echo "== torture ($mode) on kernel $k"
	start=$(date +%s)
	sandbox/run --kernel "$k" --memory "$memory" --timeout "$timeout" --results "$dir" \
		--env TORTURE="$mode" ${TORTURE_SEED:+--env TORTURE_SEED="$TORTURE_SEED"} -- \
		node node_modules/vitest/vitest.mjs run --configLoader runner --project torture \
		--reporter=default --reporter=json --outputFile.json="$dir/vitest.json"
	echo $? >"$dir/suite.rc"
	echo "== torture on kernel $k took $(($(date +%s) - start)) s"
done

node scripts/summarize-tests.mjs "$out"
