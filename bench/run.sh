#!/usr/bin/env bash
# run.sh - `make bench`: builds the benchmark (C driver, TypeScript, the
# library's dist/), and per kernel boots one sandbox guest at a time for:
# the scenario matrix on our module (and on another module build with
# --module, swapped in the same guest for every scenario), and the Node
# VirtualCamera vs C producer comparison, and the feeder rate check (real
# feeders at 30 fps: ffmpeg, GStreamer v4l2sink, Gem, VirtualCamera; its
# table goes to feeders-<release>.md beside the report). Then it
# renders bench/results/bench.{md,json,png} (or into --results DIR).
#
# usage: bench/run.sh [--quick] [--kernels "6.1 6.12 7.3"] [--module FILE]
#                     [--seconds S] [--filter a,b] [--no-node] [--only-node]
#                     [--no-feeders] [--only-feeders] [--results DIR]
#   --kernels      default: Debian 12's 6.1 and 6.12 and the newest 7.x of
#                  the kernel cache
#   --module FILE  another v4l2loopback build with the classic interface;
#                  %k in FILE is replaced by the kernel release. Kernels
#                  without such a file are run with ours only.
#   --no-feeders   skip the feeder rate check; --only-feeders runs just it.
#   --only-node    run the Node comparison only; the report reuses the
#                  matrix results already in bench/results/raw/.
# BENCH_COMMAND overrides the command line the report records.
set -euo pipefail
orig="$*"
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. sandbox/kernels.sh
kernels="$(sandbox_test_kernels) $(sandbox_new_kernels)"
results=$top/bench/results
module="" guest_args=() quick=0 node=1 matrix=1 feeders=1
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1; guest_args+=(--quick); shift ;;
	--kernels) kernels=${2:?}; shift 2 ;;
	--module) module=${2:?}; shift 2 ;;
	--seconds | --filter) guest_args+=("$1" "${2:?}"); shift 2 ;;
	--no-node) node=0; shift ;;
	--only-node) matrix=0 feeders=0; shift ;;
	--no-feeders) feeders=0; shift ;;
	--only-feeders) matrix=0 node=0; shift ;;
	--results) results=$(mkdir -p "${2:?}" && cd "$2" && pwd); shift 2 ;;
	*) echo "bench: unknown option $1" >&2; exit 2 ;;
	esac
done
raw=$results/raw
mkdir -p "$raw"
# A guest may run ~5 s per scenario (more when TCG cannot keep up).
timeout=$([ "$quick" = 1 ] && echo 900 || echo 3600)
# Memory for 8 consumers of 4K frames: the default budget is 512 MiB.
params="max_memory_mb=768"

echo "== build (C driver, bench TypeScript, library dist/)"
make -s -C bench
node node_modules/typescript/bin/tsc -p bench/tsconfig.json
npm run --silent build

runs=()
# guest LABEL DIR [sandbox options...] -- [guest.js options...]
guest() {
	local label=$1 dir=$2 sb=() ga=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do sb+=("$1"); shift; done
	shift
	ga=("$@")
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "before: $(cat /proc/loadavg)" >"$dir/host-load.txt"
	sandbox/run "${sb[@]}" --timeout "$timeout" --results "$dir" -- \
		node out/bench/js/bench/guest.js --label "$label" "${ga[@]}" ||
		echo "bench: the $label guest run failed (status $?); keeping what it measured" >&2
	echo "after: $(cat /proc/loadavg)" >>"$dir/host-load.txt"
	runs+=("$dir/bench.json")
}

for k in $kernels; do
	kver=$(sandbox_resolve_kernel "$k")
	if [ "$matrix" = 1 ]; then
		other=()
		if [ -n "$module" ]; then
			ko=${module//%k/$kver}
			if [ -r "$ko" ]; then
				# Both modules in one guest, swapped for every scenario.
				other=(--other-ko "$(cd "$(dirname "$ko")" && pwd -P)/$(basename "$ko")")
			else
				echo "bench: no $ko for $kver; ours only" >&2
			fi
		fi
		echo "== $kver: ours${other:+ and theirs (${other[1]})}"
		guest ours "$raw/$kver-ours" --kernel "$kver" --params "$params" -- --no-node "${other[@]}" "${guest_args[@]}"
		[ ${#other[@]} -gt 0 ] && runs+=("$raw/$kver-ours/bench-theirs.json")
	elif [ -r "$raw/$kver-ours/bench.json" ]; then
		runs+=("$raw/$kver-ours/bench.json")
		[ -r "$raw/$kver-ours/bench-theirs.json" ] && runs+=("$raw/$kver-ours/bench-theirs.json")
	fi
	if [ "$node" = 1 ]; then
		echo "== $kver: Node VirtualCamera vs C producer"
		guest node "$raw/$kver-node" --kernel "$kver" --params "$params" -- --no-matrix "${guest_args[@]}"
	fi
	if [ "$feeders" = 1 ]; then
		echo "== $kver: feeders at 30 fps (ffmpeg, GStreamer v4l2sink, Gem, VirtualCamera)"
		dir=$raw/$kver-feeders
		rm -rf "$dir"
		mkdir -p "$dir"
		sandbox/run --kernel "$kver" --timeout "$timeout" --results "$dir" -- \
			node out/bench/js/bench/feeders.js $([ "$quick" = 1 ] && echo --quick) ||
			echo "bench: the feeders guest run failed (status $?); keeping what it measured" >&2
		[ -r "$dir/feeders.md" ] && cp "$dir/feeders.md" "$results/feeders-$kver.md"
	fi
done

[ ${#runs[@]} -gt 0 ] || exit 0
echo "== report"
cmd=${BENCH_COMMAND:-"bench/run.sh $orig"}
node out/bench/js/bench/report.js --out "$results" --command "$cmd" "${runs[@]}"
