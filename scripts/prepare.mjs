#!/usr/bin/env node
// prepare.mjs - npm's `prepare` step in a checkout: compiles the TypeScript
// (dist/). A fresh clone installed as a folder (`npm install <checkout>`)
// has no node_modules of its own, so its dependencies (TypeScript among
// them) are installed first, and the addon is built when the install step
// could not do it (node-gyp-build was not there yet) and no prebuild fits.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const top = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: top, stdio: 'inherit' });
const require = createRequire(join(top, 'package.json'));

if (!existsSync(join(top, 'node_modules', 'typescript', 'package.json'))) {
  console.error('v4l2loopback: prepare: installing the build dependencies (npm install --ignore-scripts)');
  run('npm', ['install', '--ignore-scripts', '--include=dev', '--no-save', '--no-audit', '--no-fund', '--loglevel=error']);
}
run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json']);

let addon = true;
try {
  require('node-gyp-build').resolve(top);
} catch {
  addon = false;
}
if (!addon) {
  console.error('v4l2loopback: prepare: building the native addon from source');
  try {
    run(process.execPath, [require.resolve('node-gyp-build/bin.js')]);
  } catch {
    console.error('v4l2loopback: the native addon could not be built; the pure-JS API and `v4l2loopback-ctl --help` and `doctor` still work (`v4l2loopback-ctl doctor` says why)');
  }
}
