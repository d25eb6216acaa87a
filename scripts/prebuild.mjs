#!/usr/bin/env node
// prebuild.mjs - builds the prebuilt addons shipped in the npm package,
// prebuilds/linux-<arch>/v4l2loopback.napi.glibc.node (prebuildify's layout,
// found by node-gyp-build), for x64 and arm64 with Debian's GCC (arm64:
// g++-aarch64-linux-gnu) against Node's N-API headers; no download. Sources,
// defines and flags come from binding.gyp. libstdc++ stays shared: linked
// statically it would pull in symbols of the build machine's newest glibc
// (2.36); shared, the addon needs glibc 2.33 and GCC 11's libstdc++
// (Debian 12, Ubuntu 22.04, RHEL 9 and newer). Rebuilds only what changed.
//   node scripts/prebuild.mjs [--arch x64,arm64] [--available]
// --available skips an architecture whose compiler is missing (npm's
// prepack on a machine without the cross compiler) instead of failing.
// CXX_LAUNCHER (e.g. ccache) runs each compile through that program.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureDeps } from './ensure-deps.mjs';

const top = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: { arch: { type: 'string', default: 'x64,arm64' }, available: { type: 'boolean', default: false } },
});

/** The compiler for each target, from a host of either architecture. */
const COMPILERS = {
  x64: process.arch === 'x64' ? 'g++' : 'x86_64-linux-gnu-g++',
  arm64: process.arch === 'arm64' ? 'g++' : 'aarch64-linux-gnu-g++',
};

const gyp = JSON.parse(
  readFileSync(join(top, 'binding.gyp'), 'utf8')
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n'),
).targets[0];

/** Node's N-API headers: the running Node's include/node (the same for every architecture). */
function nodeHeaders() {
  const dir = join(dirname(process.execPath), '..', 'include', 'node');
  if (!existsSync(join(dir, 'node_api.h'))) throw new Error(`No Node headers (node_api.h) in ${dir}`);
  return dir;
}

function hasCompiler(cxx) {
  try {
    execFileSync(cxx, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

function run(cmd, argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: top, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${argv.at(-1)} failed (${code})`))));
  });
}

/** Runs jobs two at a time (the machines this builds on have few cores). */
async function parallel(jobs, n = 2) {
  const queue = [...jobs];
  await Promise.all(Array.from({ length: n }, async () => {
    while (queue.length) await queue.shift()();
  }));
}

async function build(arch) {
  const cxx = COMPILERS[arch];
  const objDir = join(top, 'out', 'prebuild', arch);
  const outDir = join(top, 'prebuilds', `linux-${arch}`);
  const out = join(outDir, 'v4l2loopback.napi.glibc.node');
  mkdirSync(objDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });
  const flags = [
    ...gyp.cflags_cc, '-fPIC', '-pthread', '-fexceptions',
    ...gyp.defines.map((d) => `-D${d}`),
    '-DNAPI_CPP_EXCEPTIONS', '-DBUILDING_NODE_EXTENSION', '-DNODE_GYP_MODULE_NAME=v4l2loopback',
    ...gyp.include_dirs.map((d) => `-I${join(top, d)}`),
    `-I${nodeHeaders()}`,
    `-I${join(top, 'node_modules', 'node-addon-api')}`,
  ];
  // A header or flag change rebuilds everything; a source change its object.
  const headers = Math.max(mtime(join(top, 'binding.gyp')), mtime(join(top, 'scripts', 'prebuild.mjs')),
    ...['addon/common.h', 'addon/bt601.h', 'addon/planes.h', 'addon/scale.h'].map((h) => mtime(join(top, h))));
  const objects = [];
  const jobs = [];
  for (const src of gyp.sources) {
    const obj = join(objDir, src.replace(/^addon\//, '').replace(/\.cc$/, '.o'));
    objects.push(obj);
    if (mtime(obj) > Math.max(mtime(join(top, src)), headers)) continue;
    const launcher = process.env.CXX_LAUNCHER;
    const compile = [...flags, '-c', '-o', obj, join(top, src)];
    jobs.push(() => (launcher ? run(launcher, [cxx, ...compile]) : run(cxx, compile)));
  }
  await parallel(jobs);
  if (jobs.length === 0 && mtime(out) > Math.max(...objects.map(mtime))) {
    console.error(`prebuild: ${arch}: up to date (${out})`);
    return;
  }
  const tmp = `${out}.tmp`;
  await run(cxx, ['-shared', '-pthread', '-s', '-o', tmp, ...objects]);
  renameSync(tmp, out);
  console.error(`prebuild: ${arch}: built ${out}`);
}

ensureDeps(top);
for (const arch of args.arch.split(',')) {
  if (!(arch in COMPILERS)) throw new RangeError(`Unknown architecture '${arch}' (x64 or arm64)`);
  if (!hasCompiler(COMPILERS[arch])) {
    const msg = `prebuild: ${arch}: no ${COMPILERS[arch]}${arch === 'arm64' ? ' (Debian: apt-get install g++-aarch64-linux-gnu)' : ''}`;
    if (!args.available) throw new Error(msg);
    console.error(`${msg}; skipped`);
    continue;
  }
  await build(arch);
}
