#!/usr/bin/env bash
# demo.sh - the one-command demo behind `make demo`: builds the library and
# CLI, boots the sandbox (Debian 6.12 kernel) with the module, and runs
# demo/run.ts there; results land in demo-out/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
npm run --silent build
rm -rf demo-out
mkdir -p demo-out
status=0
sandbox/run --kernel "${KERNEL:-6.12}" --params devices=0 --timeout 600 --results demo-out -- \
	node dist/demo/run.js demo-out || status=$?
rm -f demo-out/job.env demo-out/job.cmd demo-out/guest-run.rc
if [ "$status" != 0 ]; then
	echo "make demo: FAILED (exit status $status); see above and demo-out/" >&2
	exit "$status"
fi
echo "make demo: done; see demo-out/ (summary.txt, snapshot.png, clip.mp4, dmesg.txt)"
