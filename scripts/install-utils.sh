#!/usr/bin/env bash
# install-utils.sh - installs the v4l2loopback-ctl CLI: the compiled library
# and CLI, the addon, package.json and the production npm dependencies into
# <libdir>, and a v4l2loopback-ctl link into <bindir>.
# Usage: scripts/install-utils.sh <libdir> <bindir>
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
libdir=${1:?usage: install-utils.sh <libdir> <bindir>}
bindir=${2:?usage: install-utils.sh <libdir> <bindir>}
cd "$top"
[ -e node_modules/.package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error
[ -e build/Release/v4l2loopback.node ] || npx --no-install node-gyp-build
npm run --silent build
rm -rf "$libdir"
install -d "$libdir/build/Release" "$libdir/node_modules" "$bindir"
cp -r package.json dist "$libdir/"
cp build/Release/v4l2loopback.node "$libdir/build/Release/"
# The production dependency tree, as npm resolved it.
npm ls --omit=dev --all --parseable 2>/dev/null | tail -n +2 | while read -r dep; do
	rel=${dep#"$top"/}
	install -d "$libdir/$(dirname "$rel")"
	cp -r "$dep" "$libdir/$rel"
done
chmod 755 "$libdir/dist/cli/index.js"
ln -sf "$libdir/dist/cli/index.js" "$bindir/v4l2loopback-ctl"
echo "installed v4l2loopback-ctl in $bindir (files in $libdir)"
