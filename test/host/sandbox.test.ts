// sandbox.test.ts - the sandbox itself, end to end: a guest command's exit
// status comes back, a hung guest is killed (124), and a kernel warning
// splat fails the run even when the command succeeds (a throwaway module
// with WARN_ON(1) in its init proves it).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const top = join(import.meta.dirname, '..', '..');
// Inside the project: the guest sees the host root read-only, and results must live in the project.
mkdirSync(join(top, 'out'), { recursive: true });
const tmp = mkdtempSync(join(top, 'out', 'sandbox-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function sandbox(args: string[], timeoutMs = 300_000) {
  const r = spawnSync(join(top, 'sandbox', 'run'), args, { cwd: top, encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('sandbox/run', () => {
  it('returns the guest command exit status and runs it in the current directory', () => {
    const r = sandbox(['--no-module', '--kernel', '6.12', '--', 'sh', '-c', 'test -e package.json && uname -r && exit 7']);
    expect(r.code, r.out).toBe(7);
    expect(r.out).toMatch(/6\.12\.\d+/);
  });

  it('kills a guest that does not finish within --timeout (exit 124)', () => {
    const r = sandbox(['--no-module', '--timeout', '20', '--', 'sleep', '600']);
    expect(r.code, r.out).toBe(124);
    expect(r.out).toContain('did not finish within 20s');
  });

  it('fails a run whose kernel log shows a WARNING splat', () => {
    const src = join(tmp, 'warnmod');
    mkdirSync(src);
    writeFileSync(join(src, 'Kbuild'), 'obj-m := warnmod.o\n');
    writeFileSync(
      join(src, 'warnmod.c'),
      [
        '// SPDX-License-Identifier: GPL-2.0',
        '#include <linux/module.h>',
        'static int __init warnmod_init(void) { WARN_ON(1); return 0; }',
        'static void __exit warnmod_exit(void) { }',
        'module_init(warnmod_init);',
        'module_exit(warnmod_exit);',
        'MODULE_LICENSE("GPL");',
        '',
      ].join('\n'),
    );
    const kver = spawnSync('bash', ['-c', '. sandbox/kernels.sh; sandbox_resolve_kernel 6.1'], { cwd: top, encoding: 'utf8' }).stdout.trim();
    const build = spawnSync('make', ['-C', `/lib/modules/${kver}/build`, `M=${src}`, 'modules'], { encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    const r = sandbox(['--kernel', '6.1', '--ko', join(src, 'warnmod.ko'), '--', 'true']);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain('the guest kernel log shows a splat');
    expect(r.out).toMatch(/WARNING: CPU: \d+ PID: \d+ at .*warnmod/);
  });

  it('names what is missing: an unknown kernel, or a bad option', () => {
    const k = sandbox(['--kernel', '9.9', '--', 'true']);
    expect(k.code).toBe(1);
    expect(k.out).toContain("no kernel matches '9.9'");
    const o = sandbox(['--frobnicate']);
    expect(o.code).toBe(2);
    expect(o.out).toContain('unknown option --frobnicate');
    const ko = sandbox(['--ko', '/nonexistent.ko', '--', 'true']);
    expect(ko.code).toBe(2);
    expect(ko.out).toContain('cannot read module /nonexistent.ko');
  });

  it('a clean run passes', () => {
    const r = sandbox(['--no-module', '--', 'true']);
    expect(r.code, r.out).toBe(0);
  });
});
