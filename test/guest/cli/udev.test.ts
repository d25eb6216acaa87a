// udev.test.ts - the udev rule applied by a real udevd in the guest: the
// control device belongs to group video (0660), so a member of video can
// add and delete devices while anyone else gets exit code 4.
import { copyFile, mkdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctl, ctlAs } from '../helpers/cli.js';
import { loadModule, run, runOk } from '../helpers/kernel.js';

const VIDEO_GID = 44; // Debian's static gid for group video
const rule = join(import.meta.dirname, '..', '..', '..', 'udev', '60-v4l2loopback.rules');

beforeAll(async () => {
  await loadModule({ devices: 0 });
  await mkdir('/run/udev/rules.d', { recursive: true });
  await copyFile(rule, '/run/udev/rules.d/60-v4l2loopback.rules');
  await runOk('/lib/systemd/systemd-udevd', ['--daemon'], { timeoutMs: 20_000 });
  await runOk('udevadm', ['trigger', '--action=add', '--subsystem-match=misc', '--subsystem-match=video4linux'], { timeoutMs: 20_000 });
  await runOk('udevadm', ['settle', '--timeout=20'], { timeoutMs: 30_000 });
});

/**
 * Retries fn until it stops throwing: udev applies rules asynchronously and
 * `udevadm settle` is a no-op in the sandbox's chroot.
 */
async function eventually<T>(fn: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  for (const until = Date.now() + timeoutMs; ; ) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const linkTarget = (link: string): Promise<string> => eventually(() => realpath(link));

afterAll(async () => {
  await run('udevadm', ['control', '--exit'], { timeoutMs: 10_000 });
});

describe('udev rule', () => {
  it('parses without errors', async () => {
    const r = await run('udevadm', ['test', '/sys/class/misc/v4l2loopback'], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    expect(r.stderr + r.stdout).not.toMatch(/invalid|error parsing|unknown key/i);
  });

  it('gives /dev/v4l2loopback to group video, mode 0660', async () => {
    await eventually(async () => {
      const s = await stat('/dev/v4l2loopback');
      expect(s.gid).toBe(VIDEO_GID);
      expect(s.mode & 0o777).toBe(0o660);
    });
  });

  it('links each node under /dev/v4l/by-id by label and index', async () => {
    const add = await ctl(['add', '--split', '--json', '-n', 'By Id']);
    expect(add.code, add.stderr).toBe(0);
    const d = JSON.parse(add.stdout) as { path: string; capturePath: string };
    await runOk('udevadm', ['settle', '--timeout=20'], { timeoutMs: 30_000 });
    expect(await linkTarget('/dev/v4l/by-id/v4l2loopback-By_Id-video-index0')).toBe(d.path);
    expect(await linkTarget('/dev/v4l/by-id/v4l2loopback-By_Id-video-index1')).toBe(d.capturePath);
    // the classic module's name, for the device's own (index0) node
    expect(await linkTarget('/dev/v4l/by-id/v4l2loopback-By_Id-video')).toBe(d.path);
    expect((await ctl(['delete', d.path])).code).toBe(0);
  });

  it("also makes the classic module's link v4l2loopback-<label>-video for a combined node", async () => {
    const add = await ctl(['add', '--json', '-n', 'Classic Cam']);
    expect(add.code, add.stderr).toBe(0);
    const d = JSON.parse(add.stdout) as { path: string };
    await runOk('udevadm', ['settle', '--timeout=20'], { timeoutMs: 30_000 });
    expect(await linkTarget('/dev/v4l/by-id/v4l2loopback-Classic_Cam-video')).toBe(d.path);
    expect(await linkTarget('/dev/v4l/by-id/v4l2loopback-Classic_Cam-video-index0')).toBe(d.path);
    expect((await ctl(['delete', d.path])).code).toBe(0);
  });

  it('lets a member of video add and delete; others get exit code 4', async () => {
    const add = await ctlAs(1000, [VIDEO_GID], ['add', '-n', 'udev cam']);
    expect(add.code, add.stderr).toBe(0);
    const path = add.stdout.trim();
    await runOk('udevadm', ['settle', '--timeout=20'], { timeoutMs: 30_000 });

    const outsider = await ctlAs(1001, [], ['add']);
    expect(outsider.code).toBe(4);
    expect(outsider.stderr).toMatch(/^error: EACCES/);
    const outsiderDelete = await ctlAs(1001, [], ['delete', path]);
    expect(outsiderDelete.code).toBe(4);

    const del = await ctlAs(1000, [VIDEO_GID], ['delete', path]);
    expect(del.code, del.stderr).toBe(0);
    expect((await ctl(['list'])).stdout).not.toContain(path);
  });
});
