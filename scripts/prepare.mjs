#!/usr/bin/env node
// prepare.mjs - npm's `prepare` step in a checkout: compiles the TypeScript
// (dist/, skipped when up to date) after installing the build dependencies
// a fresh clone lacks (ensure-deps.mjs), and builds the addon when the
// install step could not (node-gyp-build was not there yet) and no prebuild
// fits. When npm prepares a git dependency (or a folder) for packing, the
// addon it built goes into prebuilds/ so the packed copy need not build it
// again.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps } from './ensure-deps.mjs';

const top = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: top, stdio: ['ignore', 2, 2] });
const require = createRequire(join(top, 'package.json'));

ensureDeps(top);

/** Newest mtime under the TypeScript sources (and configs). */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const built = join(top, 'dist', 'src', 'index.js');
const sources = Math.max(newest(join(top, 'src')), newest(join(top, 'cli')), statSync(join(top, 'tsconfig.json')).mtimeMs);
if (!existsSync(built) || statSync(built).mtimeMs < sources) {
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
}

const loads = () => {
  try {
    require('node-gyp-build').resolve(top);
    return true;
  } catch {
    return false;
  }
};
if (!loads()) {
  console.error('v4l2loopback: building the native addon from source');
  try {
    run(process.execPath, [require.resolve('node-gyp-build/bin.js')]);
  } catch {
    console.error('v4l2loopback: the native addon could not be built; the pure-JS API and `v4l2loopback-ctl --help` still work, and the first call that needs the addon throws AddonLoadError saying why');
  }
}

const local = join(top, 'build', 'Release', 'v4l2loopback.node');
const prebuild = join(top, 'prebuilds', `linux-${process.arch}`, 'v4l2loopback.napi.glibc.node');
if (process.env.npm_package_resolved && existsSync(local) && !existsSync(prebuild)) {
  mkdirSync(dirname(prebuild), { recursive: true });
  copyFileSync(local, prebuild);
}
