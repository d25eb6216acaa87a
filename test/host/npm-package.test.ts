// npm-package.test.ts - the npm install paths, each from a fresh empty
// project: the tarball of `npm pack` on a clean clone (its exact file list,
// the prebuilt addons for x64 and arm64, no compiler used at install),
// `npm install <checkout>` of a fresh clone, and a git+file:// dependency;
// then ESM and CommonJS consumers on the oldest Node of each range that
// `engines` admits, the arm64 prebuild under qemu-user with an arm64 Node,
// a TypeScript consumer with the oldest tsc the docs claim, and the package
// without a loadable addon. Tests the committed tree (HEAD).
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arm64Command, nodeBinary } from './helpers/runtimes.js';

const top = join(import.meta.dirname, '..', '..');
const fixtures = join(import.meta.dirname, 'fixtures');
const tmp = mkdtempSync(join(tmpdir(), 'v4l2l-npm-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }), 300_000);

const pkg = JSON.parse(readFileSync(join(top, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };
// The oldest Node of each range in `engines` (and the system's Node runs everything else).
const RUNTIMES = ['20.19.0', '22.13.0', '24.0.0'];
const ARM64_NODE = '20.19.0';
// No compiler: node-gyp would fail at once if anything tried to build.
const NO_COMPILER = { CC: '/bin/false', CXX: '/bin/false' };

// The same addon sources are compiled four times (prebuilds, checkout, git,
// tarball): ccache (cache in out/ccache, paths taken relative to each
// build directory) makes the repeats cheap. A hit needs every header the
// source read to be there unchanged, so a file missing from the package
// still fails the build.
const CCACHE = {
  CC: 'ccache gcc',
  CXX: 'ccache g++',
  CXX_LAUNCHER: 'ccache',
  CCACHE_DIR: join(top, 'out', 'ccache'),
  CCACHE_BASEDIR: '/',
  CCACHE_NOHASHDIR: 'true',
};

function run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    cwd: opts.cwd ?? top,
    env: { ...process.env, JOBS: '2', npm_config_jobs: '2', ...CCACHE, ...opts.env },
    encoding: 'utf8',
    timeout: 900_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
function ok(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): string {
  const r = run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const npm = (args: string[], cwd: string, env: Record<string, string> = {}) => ok('npm', [...args, '--no-audit', '--no-fund'], { cwd, env });

/** An empty project that depends on nothing yet. */
function project(name: string): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  for (const f of ['consumer.mjs', 'consumer.cjs', 'consumer.mts', 'tsconfig.json']) copyFileSync(join(fixtures, f), join(dir, f));
  return dir;
}
const clone = (name: string) => {
  ok('git', ['clone', '--quiet', top, join(tmp, name)]);
  return join(tmp, name);
};

/** What `npm pack` of HEAD must hold: derived from the tracked sources by the rules in docs/install.md. */
function expectedFiles(src: string): string[] {
  const tracked = ok('git', ['ls-files'], { cwd: src }).trim().split('\n');
  const ts = (dir: string) => tracked.filter((f) => f.startsWith(`${dir}/`) && f.endsWith('.ts')).map((f) => `dist/${f.slice(0, -3)}`);
  return [
    'LICENSE', 'Makefile', 'README.md', 'package.json', 'binding.gyp', 'dkms.conf', 'udev/60-v4l2loopback.rules',
    'kmod/Kbuild', 'kmod/Makefile', 'kmod/include/uapi/linux/v4l2loopback.h',
    'prebuilds/linux-x64/v4l2loopback.napi.glibc.node', 'prebuilds/linux-arm64/v4l2loopback.napi.glibc.node',
    'bench/results/bench.md', 'bench/results/bench.png', 'bench/results/classic/bench.md',
    ...tracked.filter((f) => /^addon\/[^/]+\.(cc|h)$/.test(f) || /^kmod\/[^/]+\.[ch]$/.test(f) || /^docs\/[^/]+\.md$/.test(f)),
    ...ts('src').flatMap((f) => [`${f}.js`, `${f}.d.ts`]),
    ...ts('cli').map((f) => `${f}.js`),
  ].sort();
}

/** The ELF machine of a shared object and the newest glibc symbol version it needs. */
function elf(file: string): { machine: number; glibc: string } {
  const machine = readFileSync(file).readUInt16LE(18);
  const versions = [...ok('objdump', ['-T', file]).matchAll(/GLIBC_(\d+\.\d+)/g)].map((m) => m[1]!);
  const glibc = versions.sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1])).pop()!;
  return { machine, glibc };
}

const consumerJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;

let tarball = '';
let packSrc = '';
let packed: string[] = [];

beforeAll(() => {
  packSrc = clone('pack-src');
  const json = npm(['pack', '--json', '--pack-destination', tmp], packSrc);
  const info = JSON.parse(json) as { filename: string }[];
  tarball = join(tmp, info[0]!.filename);
  packed = ok('tar', ['-tzf', tarball]).trim().split('\n').filter((f) => !f.endsWith('/')).map((f) => f.replace(/^package\//, '')).sort();
}, 1_200_000);

describe('npm pack of a clean tree', () => {
  it('holds exactly the library, CLI, types, addon sources, prebuilds, kmod sources, DKMS/udev pieces, docs and LICENSE', () => {
    expect(packed).toEqual(expectedFiles(packSrc));
    expect(packed.filter((f) => /\.map$|\.ko$|\.o$|\.cmd$|Module\.symvers|^dist\/demo|^dist\/cli\/.*\.d\.ts$/.test(f))).toEqual([]);
  });

  it('leaves out build products lying in the tree (module objects, maps, the demo)', () => {
    const strays = ['kmod/v4l2loopback.ko', 'kmod/v4l2loopback.mod.c', 'kmod/v4l2loopback-core.o', 'kmod/.v4l2loopback.o.cmd', 'kmod/Module.symvers',
      'kmod/modules.order', 'dist/src/index.js.map', 'dist/demo/demo.js', 'dist/cli/index.d.ts', 'build/Release/v4l2loopback.node'];
    for (const f of strays) {
      mkdirSync(join(packSrc, f, '..'), { recursive: true });
      writeFileSync(join(packSrc, f), '');
    }
    try {
      const dry = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], packSrc)) as { files: { path: string }[] }[];
      expect(dry[0]!.files.map((f) => f.path).sort()).toEqual(packed);
    } finally {
      for (const f of strays) rmSync(join(packSrc, f), { force: true });
    }
  });

  it('ships the GPL-2.0 text and the docs the README names', () => {
    const license = ok('tar', ['-xOzf', tarball, 'package/LICENSE']);
    expect(license).toContain('GNU GENERAL PUBLIC LICENSE');
    expect(license).toContain('Version 2, June 1991');
    const readme = ok('tar', ['-xOzf', tarball, 'package/README.md']);
    const named = [...new Set([...readme.matchAll(/docs\/[\w-]+\.md/g)].map((m) => m[0]))];
    expect(named.length).toBeGreaterThan(3);
    for (const doc of named) expect(packed, doc).toContain(doc);
    // Relative links inside the shipped docs resolve inside the package.
    for (const doc of packed.filter((f) => f.startsWith('docs/'))) {
      const text = ok('tar', ['-xOzf', tarball, `package/${doc}`]);
      for (const m of text.matchAll(/\]\((?!https?:|#|mailto:)([^)#\s]+)/g)) {
        const target = join('docs', m[1]!).replace(/^(\.\.\/)+/, '');
        expect(packed, `${doc} links to ${m[1]}`).toContain(target);
      }
    }
  });

  it('carries prebuilt addons for linux-x64 and linux-arm64 that need at most glibc 2.33', () => {
    const dir = join(tmp, 'unpacked');
    mkdirSync(dir);
    ok('tar', ['-xzf', tarball, '-C', dir]);
    const x64 = elf(join(dir, 'package/prebuilds/linux-x64/v4l2loopback.napi.glibc.node'));
    const arm64 = elf(join(dir, 'package/prebuilds/linux-arm64/v4l2loopback.napi.glibc.node'));
    expect(x64.machine).toBe(62); // EM_X86_64
    expect(arm64.machine).toBe(183); // EM_AARCH64
    for (const g of [x64.glibc, arm64.glibc]) expect(Number(g.split('.')[1])).toBeLessThanOrEqual(33);
    for (const f of ['linux-x64', 'linux-arm64']) expect(ok('objdump', ['-p', join(dir, 'package/prebuilds', f, 'v4l2loopback.napi.glibc.node')])).not.toMatch(/NEEDED\s+libyuv/);
  });
});

describe('npm install <tarball> into an empty project (no compiler)', () => {
  let proj = '';
  beforeAll(() => {
    proj = project('from-tarball');
    npm(['install', tarball], proj, NO_COMPILER);
  }, 900_000);

  it('installs without building: the prebuild is what loads', () => {
    const installed = join(proj, 'node_modules', 'v4l2loopback');
    expect(existsSync(join(installed, 'build')), 'node-gyp ran at install').toBe(false);
    const where = ok(process.execPath, ['-e', "console.log(require('node-gyp-build').resolve(require('path').dirname(require.resolve('v4l2loopback/package.json'))))"], { cwd: installed });
    expect(where.trim()).toBe(join(installed, 'prebuilds', 'linux-x64', 'v4l2loopback.napi.glibc.node'));
    expect(ok(join(proj, 'node_modules', '.bin', 'v4l2loopback-ctl'), ['--version'])).toMatch(/^v4l2loopback-ctl v\d+\.\d+\.\d+\n/);
  });

  it('engines admits exactly the Node ranges tested here', () => {
    expect(pkg.engines.node).toBe('^20.19.0 || ^22.13.0 || >=24.0.0');
  });

  it.each(RUNTIMES)('ESM and CommonJS consumers work on Node %s, with no warning', (version) => {
    const node = nodeBinary('x64', version);
    const esm = run(node, ['consumer.mjs'], { cwd: proj });
    const cjs = run(node, ['consumer.cjs'], { cwd: proj });
    for (const r of [esm, cjs]) {
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
    }
    const e = consumerJson(esm.stdout);
    const c = consumerJson(cjs.stdout);
    expect(e.node).toBe(`v${version}`);
    expect(e.version).toBe(pkg.version);
    expect(c.version).toBe(pkg.version);
    expect(c.exports).toEqual(e.exports);
    expect(e.exports).toContain('VirtualCamera');
    // White: Y 235, U and V 128 (BT.601 limited range).
    expect(e.white).toEqual([235, 235, 235, 235, 128, 128]);
    expect(c.white).toEqual(e.white);
    expect(c.caps).toBe('YUYV:640x480@30000/1001');
  });

  it('the arm64 prebuild loads and converts under qemu-user with an arm64 Node, as on x64', () => {
    const [cmd, args] = arm64Command(nodeBinary('arm64', ARM64_NODE), ['consumer.mjs']);
    const arm = run(cmd, args, { cwd: proj });
    expect(arm.status, arm.stderr).toBe(0);
    const a = consumerJson(arm.stdout);
    const x = consumerJson(ok(process.execPath, ['consumer.mjs'], { cwd: proj }));
    expect(a.arch).toBe('arm64');
    expect(a.node).toBe(`v${ARM64_NODE}`);
    expect(a.conversions).toEqual(x.conversions);
    expect(a.white).toEqual(x.white);
    // The addon's syscall path too (qemu-user has no V4L2 ioctls): an
    // errno-shaped error from write() on a read-only fd, and a real write.
    const probe = "const b=require('node-gyp-build')(require('path').dirname(require.resolve('v4l2loopback/package.json')));" +
      "const fs=require('fs');const fd=fs.openSync('/dev/null','r');try{b.write(fd,Buffer.alloc(4))}catch(e){console.log(e.code,e.syscall)}" +
      "const w=fs.openSync('/dev/null','w');console.log(b.write(w,Buffer.alloc(4)))";
    const [c2, a2] = arm64Command(nodeBinary('arm64', ARM64_NODE), ['-e', probe]);
    const out = run(c2, a2, { cwd: join(proj, 'node_modules', 'v4l2loopback') });
    expect(out.stdout.trim().split('\n'), out.stderr).toEqual(['EBADF write', '4']);
  });

  it('its types compile in a TypeScript consumer with the oldest TypeScript the docs claim', () => {
    const floor = /TypeScript (\d+\.\d+) or newer/.exec(readFileSync(join(top, 'docs', 'install.md'), 'utf8'))?.[1];
    expect(floor, 'docs/install.md names the oldest TypeScript').toBeDefined();
    npm(['install', '--no-save', `typescript@~${floor}.0`, '@types/node@20'], proj);
    const tsc = run(process.execPath, [join(proj, 'node_modules', 'typescript', 'bin', 'tsc'), '-v'], { cwd: proj });
    expect(tsc.stdout).toContain(`Version ${floor}.`);
    const r = run(process.execPath, [join(proj, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: proj });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('without a loadable addon the pure-JS API, --help and doctor still work and say why', () => {
    const prebuilds = join(proj, 'node_modules', 'v4l2loopback', 'prebuilds');
    renameSync(prebuilds, `${prebuilds}.off`);
    try {
      const script = "import('v4l2loopback').then((m) => { console.log(m.frameSize('i420', 4, 2), m.formatCaps(m.parseCaps('NV12:64x48@30')));" +
        "try { m.convertFrame(Buffer.alloc(12), 'rgb', 'i420', 2, 2); } catch (e) { console.log(e.name, e.code); console.log(e.message); } })";
      const r = run(process.execPath, ['-e', script], { cwd: proj });
      expect(r.status, r.stderr).toBe(0);
      const [pure, err, ...why] = r.stdout.trim().split('\n');
      expect(pure).toBe('12 NV12:64x48@30');
      expect(err).toBe('AddonLoadError ERR_ADDON_NOT_BUILT');
      expect(why.join('\n')).toContain('No native build was found');
      expect(why.join('\n')).toContain('npm rebuild v4l2loopback --build-from-source');
      const ctl = join(proj, 'node_modules', '.bin', 'v4l2loopback-ctl');
      const help = run(ctl, ['--help']);
      expect(help.status).toBe(0);
      expect(help.stdout).toContain('doctor');
      const doctor = run(ctl, ['doctor']);
      expect(doctor.stdout).toMatch(/module loaded/);
      expect(doctor.stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      renameSync(`${prebuilds}.off`, prebuilds);
    }
  });

  it('with install scripts skipped (as pnpm 10 does) the prebuild still loads', () => {
    const other = project('no-scripts');
    npm(['install', '--ignore-scripts', tarball], other, NO_COMPILER);
    expect(consumerJson(ok(process.execPath, ['consumer.mjs'], { cwd: other })).white).toEqual([235, 235, 235, 235, 128, 128]);
  });

  it('a source build that fails does not fail the install, and says so', () => {
    const other = project('failed-build');
    const r = run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', '--build-from-source', tarball], { cwd: other, env: NO_COMPILER });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain('v4l2loopback: the native addon could not be built');
    const pure = run(process.execPath, ['-e', "import('v4l2loopback').then((m) => console.log(m.frameSize('yuyv', 4, 2)))"], { cwd: other });
    expect(pure.stdout.trim(), pure.stderr).toBe('16');
  });

  it('the kernel module builds from the package with the Makefile the docs name', () => {
    const kver = ok('bash', ['-c', '. sandbox/kernels.sh; sandbox_resolve_kernel $(sandbox_test_kernels | head -n 1)']).trim();
    const dir = join(proj, 'node_modules', 'v4l2loopback');
    ok('make', ['-s', `KERNELRELEASE=${kver}`], { cwd: dir });
    expect(ok('modinfo', ['-F', 'vermagic', join(dir, 'kmod', 'v4l2loopback.ko')])).toContain(kver);
    ok('make', ['-s', `KERNELRELEASE=${kver}`, 'clean'], { cwd: dir });
    expect(existsSync(join(dir, 'dist', 'src', 'index.js')), 'make clean kept the library').toBe(true);
    expect(existsSync(join(dir, 'kmod', 'v4l2loopback.ko'))).toBe(false);
  });

  it('a source build from the tarball needs no system library', () => {
    npm(['rebuild', 'v4l2loopback', '--build-from-source'], proj);
    const built = join(proj, 'node_modules', 'v4l2loopback', 'build', 'Release', 'v4l2loopback.node');
    expect(ok('objdump', ['-p', built])).not.toMatch(/NEEDED\s+libyuv/);
    expect(consumerJson(ok(process.execPath, ['consumer.mjs'], { cwd: proj })).conversions).toEqual(
      consumerJson(run(nodeBinary('x64', RUNTIMES[0]!), ['consumer.mjs'], { cwd: proj }).stdout).conversions,
    );
  });
});

describe('npm install of a fresh checkout and of a git dependency', () => {
  it('npm install <checkout> builds it in place and works', () => {
    const src = clone('checkout');
    const proj = project('from-checkout');
    npm(['install', src], proj);
    expect(lstatSync(join(proj, 'node_modules', 'v4l2loopback')).isSymbolicLink()).toBe(true);
    const e = consumerJson(ok(process.execPath, ['consumer.mjs'], { cwd: proj }));
    expect(e.white).toEqual([235, 235, 235, 235, 128, 128]);
    expect(ok(join(proj, 'node_modules', '.bin', 'v4l2loopback-ctl'), ['--version'])).toContain(`v${pkg.version}`);
  });

  it('npm install git+file://... packs the prepared clone and builds the addon once', () => {
    const proj = project('from-git');
    const out = run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', `git+file://${packSrc}`], { cwd: proj });
    expect(out.status, out.stderr).toBe(0);
    const installed = join(proj, 'node_modules', 'v4l2loopback');
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(existsSync(join(installed, 'build')), 'built again after packing').toBe(false);
    expect(existsSync(join(installed, 'dist', 'src', 'index.d.ts'))).toBe(true);
    const c = consumerJson(ok(process.execPath, ['consumer.cjs'], { cwd: proj }));
    expect(c.white).toEqual([235, 235, 235, 235, 128, 128]);
  });
});
