// errors.test.ts - the documented errors against the real module: another
// driver's node (vivid, or vim2m on the debug kernel) is ERR_NOT_LOOPBACK
// everywhere, and caps the device cannot take (pinned by keep_format, fixed
// by a streaming producer, an unknown fourcc) throw errno-shaped errors with
// hints instead of silently keeping the old format.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Capture, open, query, V4l2Error, VirtualCamera } from '../../../src/index.js';
import { ctl } from '../helpers/cli.js';
import { run, runOk } from '../helpers/kernel.js';
import { useTestScope, within } from './scope.js';

const scope = useTestScope();

describe('a node of another driver', () => {
  let foreign = '';
  let foreignModule = '';

  beforeAll(async () => {
    const before = new Set(readdirSync('/sys/class/video4linux'));
    foreignModule = (await run('modprobe', ['vivid', 'n_devs=1', 'node_types=0x1'])).code === 0 ? 'vivid' : 'vim2m';
    if (foreignModule === 'vim2m') await runOk('modprobe', ['vim2m']);
    const added = readdirSync('/sys/class/video4linux').filter((n) => /^video\d+$/.test(n) && !before.has(n));
    expect(added.length, `${foreignModule} made no video node`).toBeGreaterThan(0);
    foreign = `/dev/${added[0]}`;
  });

  afterAll(async () => {
    await run('rmmod', [foreignModule]);
  });

  it('is ERR_NOT_LOOPBACK from open(), VirtualCamera.open(), Capture.open() and query(), naming the driver', async () => {
    const driver = foreignModule;
    // each call starts only when the one before settled: a rejection
    // nobody awaits yet would be an unhandled one
    for (const [what, call] of [
      ['open()', () => open(foreign)],
      ['VirtualCamera.open()', () => VirtualCamera.open({ device: foreign, width: 320, height: 240 })],
      ['Capture.open()', () => Capture.open({ device: foreign })],
      ['query()', () => query(foreign)],
    ] as const) {
      const err = (await within(30_000, what, (call() as Promise<unknown>).then(() => undefined, (e: unknown) => e))) as Error & { code?: string };
      expect(err, what).toBeInstanceOf(Error);
      expect(err.code, `${what}: ${err.message}`).toBe('ERR_NOT_LOOPBACK');
      expect(err.message).toContain(`${foreign} is not a v4l2loopback device (driver '${driver}')`);
    }
  });

  it('the CLI says so and goes on to the next device (query, delete), exiting non-zero', async () => {
    const d = await scope().device({ label: 'Next to foreign' });
    const q = await ctl(['query', foreign, String(d.nr)]);
    expect(q.code).toBe(3);
    expect(q.stderr).toContain(`error: ${foreign} is not a v4l2loopback device`);
    expect(q.stdout).toContain(`\toutput_device#   : ${d.nr}\n`);
    const del = await ctl(['delete', '--json', foreign, String(d.nr)]);
    expect(del.code).toBe(3);
    expect(del.stdout).toBe('');
    const lines = del.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({ error: expect.objectContaining({ code: 'ERR_NOT_LOOPBACK' }) });
    expect(readdirSync('/sys/class/video4linux')).not.toContain(`video${d.nr}`);
  });
});

describe('caps the device cannot take', () => {
  const sysfsFormat = (nr: number) => readFileSync(`/sys/class/video4linux/video${nr}/format`, 'utf8').trim();

  it('pinned by keep_format: EBUSY with a hint; the CLI exits 5 and prints it', async () => {
    const d = await scope().device({ label: 'Pinned' });
    const h = await scope().open(d.nr);
    h.caps = 'YUYV:320x240@30';
    let err: V4l2Error | undefined;
    try {
      h.caps = 'UYVY:640x480';
    } catch (e) {
      err = e as V4l2Error;
    }
    expect(err).toBeInstanceOf(V4l2Error);
    expect(err).toMatchObject({ code: 'EBUSY', errno: -16, syscall: 'ioctl', ioctl: 'VIDIOC_S_FMT', path: d.path });
    expect(err!.hint).toContain('UYVY:640x480 refused, the device keeps YUYV:320x240: keep_format pins the format');
    expect(h.capsString).toBe('YUYV:320x240@30');
    const r = await ctl(['set-caps', d.path, 'UYVY:640x480']);
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: EBUSY: .*ioctl VIDIOC_S_FMT/);
    expect(r.stderr).toMatch(/\nhint: UYVY:640x480 refused, .*set-caps .* any/);
    expect(sysfsFormat(d.nr)).toBe('YUYV:320x240@30');
    h.caps = 'any';
    h.caps = 'UYVY:640x480';
    expect(h.capsString).toMatch(/^UYVY:640x480/);
  });

  it('an unknown fourcc: EINVAL listing what the device takes', async () => {
    const d = await scope().device({ label: 'Unknown fourcc' });
    const h = await scope().open(d.nr);
    expect(() => (h.caps = 'ZZZZ:320x240')).toThrow(expect.objectContaining({ code: 'EINVAL', ioctl: 'VIDIOC_S_FMT' }));
    try {
      h.caps = 'ZZZZ:320x240';
    } catch (e) {
      expect((e as V4l2Error).hint).toMatch(/does not take fourcc 'ZZZZ'; it takes .*YUYV/);
    }
    expect(h.keepFormat).toBe(false);
    const r = await ctl(['set-caps', '--json', String(d.nr), 'ZZZZ:320x240']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr)).toEqual({ error: expect.objectContaining({ code: 'EINVAL', hint: expect.stringContaining("fourcc 'ZZZZ'") }) });
  });

  it('fixed by a streaming producer: EBUSY naming the holder', async () => {
    const d = await scope().device({ label: 'Busy caps' });
    const cam = await scope().camera({ device: d.nr, width: 320, height: 240, format: 'yuyv' });
    await cam.send(Buffer.alloc(cam.frameBytes, 0x80));
    const h = await scope().open(d.nr);
    expect(() => (h.caps = 'UYVY:640x480')).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    expect(h.capsString).toMatch(/^YUYV:320x240/);
  });
});
