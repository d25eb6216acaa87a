# kernels.sh - resolve a kernel name (6.1, 6.12, debug, or a full release) to
# a kernel release, and find its image and modules: Debian's installed
# kernels in /boot and /lib/modules, or the debug kernel that
# scripts/debug-kernel.sh builds in out/debug-kernel/. Sourced by the
# sandbox scripts.

sandbox_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sandbox_debug_dir=$sandbox_top/out/debug-kernel

# Prints the newest installed release matching $1, or fails with a hint.
sandbox_resolve_kernel() {
	local want=$1 kver
	case "$want" in
	"" | default) want=6.1 ;;
	debug)
		if [ ! -s "$sandbox_debug_dir/release" ]; then
			echo "sandbox: the debug kernel is not built; run 'make debug-kernel'" >&2
			return 1
		fi
		cat "$sandbox_debug_dir/release"
		return 0
		;;
	esac
	if [ -e "/boot/vmlinuz-$want" ] || [ "$want" = "$(cat "$sandbox_debug_dir/release" 2>/dev/null)" ]; then
		echo "$want"
		return 0
	fi
	kver=$(ls /boot 2>/dev/null | sed -n 's/^vmlinuz-//p' |
		awk -v w="$want" 'index($0, w ".") == 1 || index($0, w "-") == 1' |
		sort -V | tail -n 1)
	if [ -z "$kver" ]; then
		echo "sandbox: no installed kernel matches '$want' (looked for /boot/vmlinuz-$want*); run 'make deps'" >&2
		return 1
	fi
	echo "$kver"
}

# True when $1 is the release of the debug kernel built in out/debug-kernel.
sandbox_is_debug_kernel() {
	[ "$1" = "$(cat "$sandbox_debug_dir/release" 2>/dev/null)" ] && [ ! -e "/boot/vmlinuz-$1" ]
}

# The bootable image of release $1.
sandbox_kernel_image() {
	if sandbox_is_debug_kernel "$1"; then
		echo "$sandbox_debug_dir/bzImage"
	else
		echo "/boot/vmlinuz-$1"
	fi
}

# The root under which lib/modules/$1 lives ("/" for installed kernels).
sandbox_modules_root() {
	if sandbox_is_debug_kernel "$1"; then
		echo "$sandbox_debug_dir/modules"
	else
		echo /
	fi
}

# Extra kernel command line for release $1. The debug kernel evaluates
# QEMU's ACPI PCI routing method so slowly (KASAN and lockdep under TCG) that
# it times out and virtio gets no interrupt: route PCI interrupts from the
# BIOS table instead, and give the lockup detectors the slack that an
# instrumented kernel under emulation needs.
sandbox_kernel_cmdline() {
	if sandbox_is_debug_kernel "$1"; then
		echo "pci=noacpi watchdog_thresh=30 rcupdate.rcu_cpu_stall_timeout=120"
	fi
}

# The releases `make test` covers: one per Debian kernel series we support.
sandbox_test_kernels() {
	echo "6.1 6.12"
}
