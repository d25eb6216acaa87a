#!/usr/bin/env bash
# check-kmemleak.sh - fails (exit 1) when the debug kernel's kmemleak report
# holds an unreferenced object allocated by the loopback module or the V4L2
# and videobuf2 code it drives. Leaks elsewhere in the kernel (boot-time
# false positives of the minimal debug config) are counted, not failed.
# Usage: check-kmemleak.sh <kmemleak report>
set -u
report=${1:?usage: check-kmemleak.sh <kmemleak report>}
ours='\[v4l2loopback\]|\[videobuf2_|\[videodev\]|v4l2l_|vb2_'
# Split the report into one record per object, keep those with our frames.
hits=$(awk -v RS='unreferenced object' -v ours="$ours" 'NR > 1 && $0 ~ ours { print "unreferenced object" $0 }' "$report")
total=$(grep -c 'unreferenced object' "$report")
if [ -n "$hits" ]; then
	echo "sandbox: kmemleak: $(grep -c 'unreferenced object' <<<"$hits") of $total leaked objects come from the V4L2 stack:" >&2
	head -n 60 <<<"$hits" >&2
	exit 1
fi
[ "$total" = 0 ] || echo "sandbox: kmemleak: $total leaked objects outside the V4L2 stack (not ours; see $report)" >&2
exit 0
