# lib.sh - shared by scripts/kernels/*.sh: where the external-kernel cache
# lives (out/kernels/, never committed), a private apt configuration that
# reaches every Debian suite without touching the machine's own sources,
# and helpers to run commands in the per-suite build chroots.
# Sourced, not run.

kernels_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
kcache=$kernels_top/out/kernels
kapt=$kcache/apt

kdie() {
	echo "kernels: $*" >&2
	exit 1
}

klog() {
	echo "kernels: $*" >&2
}

# The archive the machine's own apt uses (main, then security), so no host
# name is typed here.
kmirror() {
	awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources
}
ksecmirror() {
	awk '/^URIs:/{n++; if (n == 2) {print $2; exit}}' /etc/apt/sources.list.d/debian.sources
}

# Writes a deb822 sources file for suites $2.. (security suites go to the
# security mirror) to $1.
kwrite_sources() {
	local file=$1 main=() sec=() s
	shift
	for s in "$@"; do
		case "$s" in
		*-security) sec+=("$s") ;;
		*) main+=("$s") ;;
		esac
	done
	{
		printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
			"$(kmirror)" "${main[*]}"
		if [ ${#sec[@]} -gt 0 ]; then
			printf '\nTypes: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
				"$(ksecmirror)" "${sec[*]}"
		fi
	} >"$file"
}

ksuites_all="bullseye bullseye-security trixie trixie-security trixie-backports sid experimental"

# A private apt configuration in folder $1 with lists of the suites $2...
# of the machine's own archive (never its apt sources); exports APT_CONFIG
# and updates the lists once (the stamp $1/updated).
kapt_private() {
	local dir=$1
	shift
	mkdir -p "$dir/sources.d" "$dir/lists/partial" "$dir/cache/archives/partial"
	[ -e "$dir/status" ] || : >"$dir/status"
	rm -f "$dir"/sources.d/*.sources
	kwrite_sources "$dir/sources.d/private.sources" "$@"
	cat >"$dir/apt.conf" <<EOF
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "$dir/sources.d";
Dir::State::Lists "$dir/lists";
Dir::Cache "$dir/cache";
Dir::State::status "$dir/status";
Dir::Etc::Preferences "/dev/null";
Dir::Etc::PreferencesParts "/dev/null";
APT::Architecture "amd64";
Acquire::Languages "none";
Acquire::Check-Valid-Until "false";
APT::Sandbox::User "root";
EOF
	export APT_CONFIG=$dir/apt.conf
	if [ ! -e "$dir/updated" ]; then
		klog "apt-get update (private lists of: $*)"
		apt-get update -qq >/dev/null || kdie "apt-get update of the private lists of $* failed"
		touch "$dir/updated"
	fi
}

# The kernels' private apt configuration (lists of every suite), used to
# pick versions and to download kernel images.
kapt_setup() {
	# shellcheck disable=SC2086
	kapt_private "$kapt" $ksuites_all
}

# Package names known to the private lists that match the extended regexp $1.
kapt_names() {
	apt-cache pkgnames 2>/dev/null | grep -E "$1" | sort -V
}

# True when package $1 is in the private lists.
kapt_has() {
	apt-cache show "$1" >/dev/null 2>&1
}

# The kernel headers package that suite $1's linux-headers-amd64 points to.
kapt_meta_headers() {
	local ver
	ver=$(apt-cache madison linux-headers-amd64 | awk -F'|' -v s=" $1/main" 'index($3, s) {gsub(/ /, "", $2); print $2; exit}')
	[ -n "$ver" ] || return 1
	apt-cache show "linux-headers-amd64=$ver" | sed -n 's/^Depends: //p' | grep -oE 'linux-headers-[0-9][^ ,]*' | head -n 1
}

# Runs a command in chroot $1 (a suite name) with /proc mounted (7.x objtool
# reads it); /proc is unmounted again however the command ends.
kchroot() {
	local root=$kcache/chroot/$1 rc=0 lock
	shift
	[ -x "$root/bin/sh" ] || kdie "no chroot at $root (scripts/kernels/cache.sh makes it)"
	# One user of a chroot at a time: the last one out unmounts /proc.
	exec {lock}>"$root.lock"
	flock "$lock"
	mountpoint -q "$root/proc" || mount -t proc proc "$root/proc" || kdie "cannot mount /proc in $root"
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@" || rc=$?
	umount "$root/proc" 2>/dev/null || umount -l "$root/proc" 2>/dev/null || true
	exec {lock}>&-
	return "$rc"
}

# True when path $2 exists inside chroot $1 (its symlinks are absolute).
kchroot_has() {
	chroot "$kcache/chroot/$1" test -e "$2" 2>/dev/null
}

# Mirrors the module's sources (not an in-tree build's products such as
# *.mod.c) from kmod/ to directory $1, and drops sources deleted from kmod/
# since, so kbuild can run outside the tree for several kernels at once.
kmod_mirror() {
	local dest=$1
	mkdir -p "$dest"
	(cd "$kernels_top/kmod" && find . -type f \( -name '*.c' -o -name '*.h' -o -name Kbuild -o -name Makefile \) ! -name '*.mod.c' -print0 |
		while IFS= read -r -d '' f; do
			mkdir -p "$dest/$(dirname "$f")"
			cmp -s "$f" "$dest/$f" || cp "$f" "$dest/$f"
		done)
	(cd "$dest" && find . -type f \( -name '*.c' -o -name '*.h' \) ! -name '*.mod.c' -print0 |
		while IFS= read -r -d '' f; do [ -e "$kernels_top/kmod/$f" ] || rm -f "$f"; done)
}
