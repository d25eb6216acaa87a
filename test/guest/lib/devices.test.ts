// devices.test.ts - the library's device management and device handle
// against the real module: version, list, add, query, remove, open() and
// its settings, errors with hints.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, list, open, query, remove, V4l2Error, version, VirtualCamera } from '../../../src/index.js';
import { loadModule } from '../helpers/kernel.js';

beforeAll(async () => {
  await loadModule({ devices: 0 });
});

afterAll(async () => {
  for (const d of await list()) await remove(d.nr).catch(() => undefined);
});

describe('device management', () => {
  it('reports versions', async () => {
    const v = await version();
    expect(v.module).toMatch(/^\d+\.\d+\.\d+$/);
    expect(v.library).toBe(v.module);
  });

  it('adds, lists, queries and removes a combined device', async () => {
    const d = await add({ label: 'Lib Test', exclusiveCaps: false, maxBuffers: 4, maxWidth: 1920, maxHeight: 1080 });
    expect(d).toMatchObject({ label: 'Lib Test', split: false, maxBuffers: 4, maxWidth: 1920, maxHeight: 1080, exclusiveCaps: false });
    expect(existsSync(d.path)).toBe(true);
    expect((await list()).map((x) => x.nr)).toContain(d.nr);
    expect(await query(d.path)).toEqual(d);
    expect(await query('Lib Test')).toEqual(d);
    expect(await query(d.nr)).toEqual(d);
    await remove('Lib Test');
    expect((await list()).map((x) => x.nr)).not.toContain(d.nr);
  });

  it('adds a split device with an automatic capture node', async () => {
    const d = await add({ label: 'Split', captureNr: 'auto' });
    expect(d.split).toBe(true);
    expect(d.captureNr).not.toBe(d.nr);
    expect(await query(d.capturePath)).toEqual(d);
    await remove(d.capturePath);
  });

  it('removing an open device fails with EBUSY naming the holder', async () => {
    const d = await add({ label: 'Busy' });
    const h = await open(d.nr);
    try {
      const err = (await remove(d.nr).catch((e: unknown) => e)) as V4l2Error;
      expect(err).toBeInstanceOf(V4l2Error);
      expect(err).toMatchObject({ code: 'EBUSY', errno: -16, syscall: 'ioctl', path: d.path });
      expect(err.ioctl).toMatch(/V4L2LOOPBACK_CTL_REMOVE/);
      expect(err.message).toMatch(/still open|in use/);
    } finally {
      await h.close();
    }
    await remove(d.nr);
  });

  it('names unknown devices clearly', async () => {
    await expect(query('No Such Label')).rejects.toMatchObject({ code: 'ERR_DEVICE_NOT_FOUND' });
    await expect(query(250)).rejects.toMatchObject({ code: 'ENODEV' });
  });
});

describe('device handle', () => {
  it('gets and sets caps, fps and the controls', async () => {
    const d = await add({ label: 'Handle' });
    const h = await open('Handle');
    try {
      expect(h.path).toBe(d.path);
      expect(h.label).toBe('Handle');
      expect(h.keepFormat).toBe(false);
      h.caps = 'UYVY:640x480@25';
      expect(h.keepFormat).toBe(true);
      expect(h.sustainFramerate).toBe(true);
      expect(h.caps).toEqual({ fourcc: 'UYVY', width: 640, height: 480, fps: { numerator: 25, denominator: 1 } });
      h.fps = '30000/1001';
      expect(h.fps).toBeCloseTo(29.97, 2);
      h.fps = 15;
      expect(h.capsString).toBe('UYVY:640x480@15');
      h.timeout = 500;
      expect(h.timeout).toBe(500);
      expect(() => {
        h.timeout = -1;
      }).toThrow(RangeError);
      h.sustainFramerate = false;
      expect(h.sustainFramerate).toBe(false);
      expect(h.state).toBe('capture'); // keep_format
      expect(h.readers).toBe(0);
      h.caps = 'any';
      expect(h.keepFormat).toBe(false);
      expect(h.controls().map((c) => c.name)).toEqual(expect.arrayContaining(['keep_format', 'sustain_framerate', 'timeout', 'timeout_image_io']));
    } finally {
      await h.close();
      await remove(d.nr);
    }
  });

  it('a fixed format refuses a producer asking for another size', async () => {
    const d = await add({ label: 'Fixed' });
    const h = await open(d.nr);
    try {
      h.caps = 'YUYV:320x240@30';
      await expect(VirtualCamera.open({ device: d.nr, width: 640, height: 480, format: 'yuyv' })).rejects.toMatchObject({ code: 'ERR_FORMAT_REFUSED' });
    } finally {
      h.keepFormat = false;
      await h.close();
      await remove(d.nr);
    }
  });
});
