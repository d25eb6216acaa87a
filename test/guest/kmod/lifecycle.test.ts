// lifecycle.test.ts - module and device life cycle against the real module:
// rmmod is refused while a node is open, the control device makes more than
// the classic 8 devices, compressed formats carry the producer's bytesused
// while raw ones report sizeimage, and control changes reach subscribers as
// V4L2 control events.
import { closeSync, openSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { add, Capture, list, remove } from '../../../src/index.js';
import { closeDevice, openDevice } from '../../../src/fd.js';
import { fourcc } from '../../../src/formats.js';
import { native } from '../../../src/native.js';
import { loadModule, moduleLoaded, run, runOk } from '../helpers/kernel.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('life cycle', () => {
  afterAll(async () => {
    if (!moduleLoaded()) await loadModule();
  });

  it('rmmod is refused while a node is open and works after the last close', async () => {
    await loadModule({ devices: 1 });
    const fd = openSync('/dev/video0', 'r');
    try {
      const r = await run('rmmod', ['v4l2loopback'], { timeoutMs: 30_000 });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/in use/i);
      expect(moduleLoaded()).toBe(true);
    } finally {
      closeSync(fd);
    }
    await runOk('rmmod', ['v4l2loopback'], { timeoutMs: 30_000 });
    expect(moduleLoaded()).toBe(false);
    await loadModule();
  });

  it('the control device makes more than 8 devices', async () => {
    await loadModule({ devices: 0 });
    const made = [];
    for (let i = 0; i < 12; i++) made.push(await add({ label: `many ${i}` }));
    expect((await list()).length).toBe(12);
    for (const d of made) await remove(d.nr);
    expect(await list()).toEqual([]);
  });

  const payloads: [code: string, sizes: number[], expected: string][] = [
    ['MJPG', [1000, 2345, 777], "the producer's bytesused"],
    ['YUYV', [320 * 240 * 2], 'sizeimage'],
  ];
  it.each(payloads)('%s frames of %j bytes arrive with %s as bytesused', async (code, sizes) => {
    await loadModule({ devices: 0 });
    const b = native();
    const out = b.constants.V4L2_BUF_TYPE_VIDEO_OUTPUT!;
    const dev = await add({ captureNr: 'auto', label: `bytesused ${code}` });
    const fd = await openDevice(dev.path);
    let cap: Capture | undefined;
    try {
      const fmt = b.setFormat(fd, out, { width: 320, height: 240, pixelformat: fourcc(code) });
      expect(fmt.sizeimage).toBeGreaterThanOrEqual(Math.max(...sizes));
      cap = await Capture.open({ device: dev.capturePath });
      for (const [i, n] of sizes.entries()) {
        const payload = Buffer.alloc(n, 0x30 + i);
        payload.writeUInt32LE(0xd8ffd8ff, 0);
        expect(b.write(fd, payload)).toBe(n);
        const frame = await Promise.race([cap.read(), sleep(20_000).then(() => undefined)]);
        expect(frame, 'a frame within 20 s').toBeDefined();
        expect(frame!.data.length).toBe(code === 'YUYV' ? fmt.sizeimage : n);
        expect(frame!.data.subarray(0, n).equals(payload)).toBe(true);
      }
    } finally {
      await cap?.close();
      await closeDevice(fd);
      await remove(dev.nr);
    }
  });

  it('a control change reaches a subscriber as a control event', async () => {
    await loadModule({ devices: 0 });
    const b = native();
    const dev = await add({ label: 'ctrl events' });
    const watcher = await openDevice(dev.path);
    const setter = await openDevice(dev.path);
    try {
      const keep = b.constants.V4L2LOOPBACK_CID_KEEP_FORMAT!;
      b.subscribeEvent(watcher, b.constants.V4L2_EVENT_CTRL!, keep, 0);
      expect(b.dequeueEvent(watcher)).toBeNull();
      b.setControl(setter, keep, 1);
      const ev = b.dequeueEvent(watcher);
      expect(ev).toMatchObject({ type: b.constants.V4L2_EVENT_CTRL, id: keep, ctrl: { value: 1 } });
      b.setControl(setter, keep, 0);
    } finally {
      await closeDevice(watcher);
      await closeDevice(setter);
      await remove(dev.nr);
    }
  });
});
