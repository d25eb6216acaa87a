// kernel-log.test.ts - sandbox/check-kernel-log.sh and the results.json
// format of scripts/summarize-tests.mjs, on sample inputs: a deprecation
// warning (7.2's "enqueued on deprecated workqueue") fails a run like a
// splat does, and each compile-matrix entry counts as one test.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const top = join(import.meta.dirname, '..', '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'v4l2l-klog-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function checkLog(text: string) {
  const file = join(tmp, 'dmesg.txt');
  writeFileSync(file, text);
  return spawnSync(join(top, 'sandbox', 'check-kernel-log.sh'), [file], { encoding: 'utf8' }).status;
}

describe('check-kernel-log.sh', () => {
  const clean = '[    1.000000] v4l2loopback: module loaded\n[    2.000000] videodev: Linux video capture interface: v2.00\n';
  it('passes a clean log', () => expect(checkLog(clean)).toBe(0));
  it('fails on the deprecated-workqueue warning of 7.2+', () => {
    expect(checkLog(`${clean}[    3.1] workqueue: work func v4l2l_repeat_work [v4l2loopback] enqueued on deprecated workqueue. Use system_{percpu|dfl}_wq instead.\n`)).toBe(1);
  });
  it('fails on other deprecation warnings and on a WARNING splat', () => {
    expect(checkLog(`${clean}[    3.2] foo: the bar interface is Deprecated, use baz\n`)).toBe(1);
    expect(checkLog(`${clean}[    3.3] WARNING: CPU: 0 PID: 1 at drivers/media/x.c:1 f+0x1/0x2\n`)).toBe(1);
  });
});

describe('summarize-tests.mjs results.json', () => {
  it('counts each entry as one test and fails the run on a failed entry', () => {
    const root = join(tmp, 'summary');
    mkdirSync(join(root, 'matrix'), { recursive: true });
    const results = [
      { name: 'compile 5.10', status: 'passed' },
      { name: 'compile 7.3', status: 'failed', message: "too few arguments to function 'v4l2_fh_add'" },
      { name: 'compile arm64', status: 'skipped' },
    ];
    writeFileSync(join(root, 'matrix', 'results.json'), JSON.stringify({ results }));
    const r = spawnSync('node', [join(top, 'scripts', 'summarize-tests.mjs'), root], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("matrix: compile 7.3: too few arguments to function 'v4l2_fh_add'");
    expect(r.stdout.trim().split('\n').at(-1)).toBe('1 passed, 1 failed, 1 skipped');
  });
});
