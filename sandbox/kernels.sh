# kernels.sh - resolve a kernel name (6.1, 6.12, debug, or a full release) to
# a kernel release, and find its image and modules: Debian's installed
# kernels in /boot and /lib/modules, the external Debian kernels of the
# kernel cache (out/kernels/boot/<release>/, made by scripts/kernels/cache.sh:
# 7.x of trixie-backports, 5.10 of bullseye), or a debug kernel that
# scripts/debug-kernel.sh builds ("debug": 6.1 in out/debug-kernel/,
# "debug-7.3": 7.3 in out/debug-kernel-7.3/). Sourced by the sandbox scripts.

sandbox_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The folder of debug kernel name $1: debug (6.1) or debug-<series>.
sandbox_debug_dir_of() {
	case "$1" in
	debug | debug-6.1) echo "$sandbox_top/out/debug-kernel" ;;
	debug-*) echo "$sandbox_top/out/debug-kernel-${1#debug-}" ;;
	*) return 1 ;;
	esac
}

# The folder of the built debug kernel whose release is $1 (fails if none).
sandbox_debug_dir_for() {
	local d
	for d in "$sandbox_top"/out/debug-kernel "$sandbox_top"/out/debug-kernel-*; do
		[ -n "$1" ] && [ "$1" = "$(cat "$d/release" 2>/dev/null)" ] && { echo "$d"; return 0; }
	done
	return 1
}
sandbox_ext_dir=$sandbox_top/out/kernels/boot

# Prints the newest installed release matching $1, or fails with a hint.
sandbox_resolve_kernel() {
	local want=$1 kver
	case "$want" in
	"" | default) want=6.1 ;;
	debug | debug-*)
		local dir
		dir=$(sandbox_debug_dir_of "$want")
		if [ ! -s "$dir/release" ]; then
			local series=${want#debug}
			echo "sandbox: the debug kernel '$want' is not built; run 'make debug-kernel${series:+ KVER=${series#-}}'" >&2
			return 1
		fi
		cat "$dir/release"
		return 0
		;;
	esac
	if [ -e "/boot/vmlinuz-$want" ] || [ -s "$sandbox_ext_dir/$want/vmlinuz" ] ||
		sandbox_debug_dir_for "$want" >/dev/null; then
		echo "$want"
		return 0
	fi
	kver=$({
		ls /boot 2>/dev/null | sed -n 's/^vmlinuz-//p'
		for f in "$sandbox_ext_dir"/*/vmlinuz; do [ -s "$f" ] && basename "$(dirname "$f")"; done
	} | awk -v w="$want" 'index($0, w ".") == 1 || index($0, w "-") == 1' |
		sort -V | tail -n 1)
	if [ -z "$kver" ]; then
		echo "sandbox: no kernel matches '$want' (looked for /boot/vmlinuz-$want* and $sandbox_ext_dir/$want*); run 'make deps' (it runs scripts/kernels/cache.sh)" >&2
		return 1
	fi
	echo "$kver"
}

# True when $1 is the release of a debug kernel built in out/debug-kernel*.
sandbox_is_debug_kernel() {
	sandbox_debug_dir_for "$1" >/dev/null && [ ! -e "/boot/vmlinuz-$1" ]
}

# True when $1 is an external kernel of the kernel cache (not installed).
sandbox_is_ext_kernel() {
	[ -s "$sandbox_ext_dir/$1/vmlinuz" ] && [ ! -e "/boot/vmlinuz-$1" ]
}

# The build chroot suite (out/kernels/chroot/<suite>) that has the headers
# and compiler of external kernel $1.
sandbox_ext_suite() {
	cat "$sandbox_ext_dir/$1/suite"
}

# The bootable image of release $1.
sandbox_kernel_image() {
	if sandbox_is_debug_kernel "$1"; then
		echo "$(sandbox_debug_dir_for "$1")/bzImage"
	elif sandbox_is_ext_kernel "$1"; then
		echo "$sandbox_ext_dir/$1/vmlinuz"
	else
		echo "/boot/vmlinuz-$1"
	fi
}

# The root under which lib/modules/$1 lives ("/" for installed kernels).
sandbox_modules_root() {
	if sandbox_is_debug_kernel "$1"; then
		echo "$(sandbox_debug_dir_for "$1")/modules"
	elif sandbox_is_ext_kernel "$1"; then
		echo "$sandbox_ext_dir/$1/root"
	else
		echo /
	fi
}

# Extra kernel command line for release $1. Every kernel: the TSC as the
# clock. Under TCG the kernel finds it unstable and falls back to the HPET,
# whose every read is an emulated MMIO access, and with the HPET the vDSO
# cannot serve clock_gettime: Node, ffmpeg and Chromium, which read the
# clock constantly, ran at half speed. TCG's TSC follows the host's, the
# same on both vCPUs. The debug kernel evaluates
# QEMU's ACPI PCI routing method so slowly (KASAN and lockdep under TCG) that
# it times out and virtio gets no interrupt: route PCI interrupts from the
# BIOS table instead, and give the lockup detectors the slack that an
# instrumented kernel under emulation needs.
sandbox_kernel_cmdline() {
	if sandbox_is_debug_kernel "$1"; then
		printf 'pci=noacpi watchdog_thresh=30 rcupdate.rcu_cpu_stall_timeout=120 '
	fi
	echo "tsc=reliable clocksource=tsc"
}

# The installed Debian 12 kernels: `make test`, `make torture` and
# `make bench` run on them.
sandbox_test_kernels() {
	echo "6.1 6.12"
}

# The newest 7.x series of the kernel cache (picks.env): `make test` runs
# the whole guest suite and the short torture suite on it too.
sandbox_new_kernels() {
	local k7
	k7=$(sed -n 's/^K7=\([0-9]*\.[0-9]*\).*/\1/p' "$sandbox_top/out/kernels/picks.env" 2>/dev/null)
	echo "${k7:-7}"
}

# The kernels `make test` runs only the short guest subset on (the oldest
# supported: load, producer, consumer, v4l2-compliance, REMOVE, unload).
sandbox_subset_kernels() {
	echo "5.10"
}
