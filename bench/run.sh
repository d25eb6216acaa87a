#!/usr/bin/env bash
# run.sh - `make bench`: builds the benchmark (C driver, TypeScript, the
# library's dist/), runs the scenario matrix in a sandbox guest per kernel
# (one guest at a time), optionally the same on another module build
# (--module), and renders bench/results/bench.{md,json,png}.
#
# usage: bench/run.sh [--quick] [--kernels "6.1 6.12"] [--module FILE]
#                     [--seconds S] [--filter a,b] [--no-node]
#   --module FILE  another v4l2loopback build with the classic interface;
#                  %k in FILE is replaced by the kernel release. Kernels
#                  without such a file are run with ours only.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. sandbox/kernels.sh
kernels=$(sandbox_test_kernels)
module="" guest_args=() quick=0
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1; guest_args+=(--quick); shift ;;
	--kernels) kernels=${2:?}; shift 2 ;;
	--module) module=${2:?}; shift 2 ;;
	--seconds | --filter) guest_args+=("$1" "${2:?}"); shift 2 ;;
	--no-node) guest_args+=(--no-node); shift ;;
	*) echo "bench: unknown option $1" >&2; exit 2 ;;
	esac
done
results=$top/bench/results
raw=$results/raw
mkdir -p "$raw"
# A guest may run ~4 s per scenario (more when TCG cannot keep up).
timeout=$([ "$quick" = 1 ] && echo 900 || echo 3600)
# Memory for 8 consumers of 4K frames: the default budget is 512 MiB.
params="max_memory_mb=768"

echo "== build (C driver, bench TypeScript, library dist/)"
make -s -C bench
node node_modules/typescript/bin/tsc -p bench/tsconfig.json
npm run --silent build

runs=()
for k in $kernels; do
	kver=$(sandbox_resolve_kernel "$k")
	echo "== $kver: ours"
	dir=$raw/$kver-ours
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "before: $(cat /proc/loadavg)" >"$dir/host-load.txt"
	sandbox/run --kernel "$kver" --params "$params" --timeout "$timeout" --results "$dir" -- \
		node out/bench/js/bench/guest.js --label ours "${guest_args[@]}" || echo "bench: the guest run failed (status $?); keeping what it measured" >&2
	echo "after: $(cat /proc/loadavg)" >>"$dir/host-load.txt"
	runs+=("$dir/bench.json")
	if [ -n "$module" ]; then
		ko=${module//%k/$kver}
		if [ ! -r "$ko" ]; then
			echo "bench: no $ko for $kver; ours only" >&2
			continue
		fi
		echo "== $kver: theirs ($ko)"
		dir=$raw/$kver-theirs
		rm -rf "$dir"
		mkdir -p "$dir"
		echo "before: $(cat /proc/loadavg)" >"$dir/host-load.txt"
		sandbox/run --kernel "$kver" --ko "$ko" --timeout "$timeout" --results "$dir" -- \
			node out/bench/js/bench/guest.js --label theirs --no-node "${guest_args[@]}" || echo "bench: the guest run failed (status $?); keeping what it measured" >&2
		echo "after: $(cat /proc/loadavg)" >>"$dir/host-load.txt"
		runs+=("$dir/bench.json")
	fi
done

echo "== report"
cmd="make bench${BENCH_CMD_SUFFIX:-}"
node out/bench/js/bench/report.js --out "$results" --command "$cmd" "${runs[@]}"
