#!/usr/bin/env bash
# deps.sh - installs, idempotently and quietly, what the project needs on a
# fresh Debian 12 machine: QEMU and the Debian 6.1 and 6.12 kernels (images
# and headers) for the sandbox, the real V4L2 clients the tests drive, the
# toolchains, the npm packages (npm ci), and the external-kernel cache
# (out/kernels/: build chroots and the 7.x and 5.10 kernels of the compile
# matrix and the sandbox, scripts/kernels/cache.sh), and the client cache
# (out/clients/: other distributions' v4l2loopback-ctl and v4l2-compliance,
# scripts/clients/fetch.sh).
#   scripts/deps.sh         everything (make deps)
#   scripts/deps.sh build   only what building the module needs (make deps-build;
#                           plain `make` never runs it)
#   scripts/deps.sh debug-kernel   what building the 6.1 debug kernel needs
#   scripts/deps.sh debug-kernel-tools   the same without linux-source-6.1 (7.x)
#   scripts/deps.sh test    everything but the kernel cache, which
#                           scripts/test.sh makes beside the first guest runs
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-all}

build_pkgs="build-essential kmod linux-headers-amd64 xz-utils"
all_pkgs="$build_pkgs qemu-system-x86 busybox-static cpio zstd linux-image-amd64
	v4l-utils ffmpeg gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
	chromium fonts-dejavu-core dkms openssl udev python3
	g++-aarch64-linux-gnu qemu-user ccache
	puredata-core gem gem-plugin-v4l2 xvfb libgl1-mesa-dri"

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
	done
}

apt_updated=0
apt_install() {
	[ $# -gt 0 ] || return 0
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages: $*" >&2
		echo "deps: run as root, or: sudo apt-get install $*" >&2
		exit 1
	fi
	if [ "$apt_updated" = 0 ]; then
		apt-get update -qq
		apt_updated=1
	fi
	echo "deps: installing $*" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The newest Debian 6.12 kernel whose image and headers are both available.
pick_612() {
	local have
	have=$(ls /boot 2>/dev/null | sed -n 's/^vmlinuz-\(6\.12\..*+deb12-amd64\)$/\1/p' | sort -V | tail -n 1)
	if [ -n "$have" ] && [ -e "/lib/modules/$have/build/Makefile" ]; then
		echo "$have"
		return
	fi
	[ "$apt_updated" = 1 ] || { apt-get update -qq; apt_updated=1; }
	apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' | awk '{print $1}' |
		sed 's/^linux-headers-//' | sort -V | while read -r v; do
		apt-cache show "linux-image-$v" >/dev/null 2>&1 && echo "$v"
	done | tail -n 1
}

debug_tools="bc bison flex libelf-dev libssl-dev"
if [ "$what" = debug-kernel ]; then
	# shellcheck disable=SC2046
	apt_install $(missing $build_pkgs linux-source-6.1 $debug_tools)
	exit 0
fi
if [ "$what" = debug-kernel-tools ]; then
	# shellcheck disable=SC2046
	apt_install $(missing $build_pkgs $debug_tools)
	exit 0
fi

if [ "$what" = build ]; then
	# shellcheck disable=SC2046
	apt_install $(missing $build_pkgs)
	exit 0
fi

# shellcheck disable=SC2046,SC2086
apt_install $(missing $all_pkgs)
kver612=$(pick_612)
[ -n "$kver612" ] || { echo "deps: no Debian 6.12 kernel with headers found in the archive" >&2; exit 1; }
# shellcheck disable=SC2046
apt_install $(missing "linux-image-$kver612" "linux-headers-$kver612")

cd "$top"
stamp=node_modules/.package-lock.json
if [ ! -e "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ ! -e build/Release/v4l2loopback.node ]; then
	echo "deps: npm ci" >&2
	# The checkout's tests use its own build of the addon (build/Release),
	# not a prebuild that may be lying in prebuilds/.
	npm_config_build_from_source=true npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

# The kernels beyond Debian 12's (reused when already there; for `make
# test`, scripts/test.sh makes them beside the first guest runs).
[ "$what" = test ] || "$top/scripts/kernels/cache.sh"

# The distributions' own v4l2loopback-ctl (0.15.x, 0.12.7) and the newest
# v4l-utils, unpacked into out/clients/ (reused when already there).
"$top/scripts/clients/fetch.sh"
