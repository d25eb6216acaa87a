#!/usr/bin/env bash
# guest-run.sh - runs inside the sandbox guest (chrooted into the host root):
# loads the project's module, runs the job's command (or a shell), and
# records its exit status and the kernel log in the results folder.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TMPDIR=/tmp LANG=C.UTF-8 SANDBOX_GUEST=1
# shellcheck source=/dev/null
. "$SANDBOX_RESULTS/job.env"
# shellcheck source=/dev/null
. "$SANDBOX_RESULTS/job.cmd"
results=$SANDBOX_RESULTS
cd "$SANDBOX_CWD" || exit 125

echo "sandbox: guest kernel $(uname -r)" >&2
uname -r >"$results/kernel"
rc=0
if [ -n "${SANDBOX_KO:-}" ]; then
	for dep in $(modinfo -F depends "$SANDBOX_KO" | tr ',' ' '); do
		modprobe "$dep" || rc=125
	done
	# shellcheck disable=SC2086
	if [ "$rc" = 0 ] && ! insmod "$SANDBOX_KO" $SANDBOX_PARAMS; then
		echo "sandbox: insmod $SANDBOX_KO $SANDBOX_PARAMS failed" >&2
		rc=125
	fi
	export V4L2L_KO=$SANDBOX_KO
fi

if [ "$rc" = 0 ]; then
	if [ "${SANDBOX_SHELL:-0}" = 1 ]; then
		echo "sandbox: interactive shell; 'exit' or Ctrl-D powers the guest off" >&2
		setsid -c bash -i </dev/ttyS0 >/dev/ttyS0 2>&1
		rc=$?
	else
		"${SANDBOX_CMD[@]}"
		rc=$?
	fi
fi
# The debug kernel's leak detector (auto-scan is off): objects younger than
# 5 s are not reported, and a leak must stay unreferenced over two scans.
kmemleak=/sys/kernel/debug/kmemleak
[ -e /sys/kernel/debug/tracing ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
if [ -w "$kmemleak" ]; then
	echo scan >"$kmemleak"
	sleep 6
	echo scan >"$kmemleak"
	cat "$kmemleak" >"$results/kmemleak.txt"
fi
echo "$rc" >"$results/rc"
dmesg >"$results/dmesg.txt" 2>&1
exit 0
