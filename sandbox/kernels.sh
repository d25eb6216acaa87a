# kernels.sh - resolve a kernel name (6.1, 6.12, or a full release) to an
# installed Debian kernel release; sourced by the sandbox scripts.

# Prints the newest installed release matching $1, or fails with a hint.
sandbox_resolve_kernel() {
	local want=$1 kver
	case "$want" in
	"" | default) want=6.1 ;;
	esac
	if [ -e "/boot/vmlinuz-$want" ]; then
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

# The releases `make test` covers: one per Debian kernel series we support.
sandbox_test_kernels() {
	echo "6.1 6.12"
}
