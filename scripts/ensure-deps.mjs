// ensure-deps.mjs - for npm's prepare/prepack steps in a checkout: a fresh
// clone (installed as a folder, or packed before `npm ci`) has no
// node_modules of its own, so its dependencies, TypeScript and
// node-addon-api among them, are installed first (without running scripts).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function ensureDeps(top) {
  const need = ['typescript', 'node-addon-api', 'node-gyp-build'];
  if (need.every((p) => existsSync(join(top, 'node_modules', p, 'package.json')))) return;
  console.error('v4l2loopback: installing the build dependencies (npm install --ignore-scripts)');
  execFileSync('npm', ['install', '--ignore-scripts', '--include=dev', '--no-save', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: top,
    stdio: ['ignore', 2, 2],
  });
}
