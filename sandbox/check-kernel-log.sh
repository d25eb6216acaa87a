#!/usr/bin/env bash
# check-kernel-log.sh - fails (exit 1) when a guest kernel log shows a splat:
# warnings, BUGs, oopses, call traces, hung tasks, allocation failures, and
# the debug kernel's KASAN, lockdep and kmemleak reports, and deprecation
# warnings (e.g. 7.2's "enqueued on deprecated workqueue").
# Usage: check-kernel-log.sh <dmesg file>
set -u
log=${1:?usage: check-kernel-log.sh <dmesg file>}
pattern='WARNING:|BUG:|kernel BUG|Oops|Call Trace|general protection fault|allocation failure|vmalloc error|blocked for more than|Kernel panic|UBSAN|KASAN|suspected memory leak|unreferenced object|possible circular locking|possible recursive locking|INFO: task|[Dd]eprecated'
if grep -nE "$pattern" "$log" >/dev/null; then
	echo "sandbox: the guest kernel log shows a splat:" >&2
	first=$(grep -nE "$pattern" "$log" | head -n 1 | cut -d: -f1)
	sed -n "$((first > 5 ? first - 5 : 1)),$((first + 40))p" "$log" >&2
	exit 1
fi
exit 0
