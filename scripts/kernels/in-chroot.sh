#!/usr/bin/env bash
# in-chroot.sh - runs one command in a build chroot of the kernel cache
# (out/kernels/chroot/<suite>) with /proc mounted, e.g. for the DKMS test.
#   scripts/kernels/in-chroot.sh <suite> <command> [args...]
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
suite=${1:?usage: in-chroot.sh <suite> <command> [args...]}
shift
kchroot "$suite" "$@"
