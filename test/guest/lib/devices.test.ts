// devices.test.ts - the library's device management and device handle
// against the real module: version, list, add, query, remove, open() and
// its settings, errors with hints. Each test makes its own device and
// releases everything it opened (scope.ts), pass or fail.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { add, list, query, remove, V4l2Error, version, VirtualCamera } from '../../../src/index.js';
import { useTestScope, within } from './scope.js';

const scope = useTestScope();

describe('device management', () => {
  it('reports versions', async () => {
    const v = await within(10_000, 'version()', version());
    expect(v.module).toMatch(/^\d+\.\d+\.\d+$/);
    expect(v.library).toBe(v.module);
  });

  it('adds, lists, queries (by path, number, label) and removes a combined device', async () => {
    const d = await within(30_000, 'add()', add({ label: 'Lib Test', exclusiveCaps: false, maxBuffers: 4, maxWidth: 1920, maxHeight: 1080 }));
    try {
      expect(d).toMatchObject({ label: 'Lib Test', split: false, maxBuffers: 4, maxWidth: 1920, maxHeight: 1080, exclusiveCaps: false });
      expect(d.capturePath).toBe(d.path);
      expect(existsSync(d.path)).toBe(true);
      expect((await list()).map((x) => x.nr)).toContain(d.nr);
      expect(await query(d.path)).toEqual(d);
      expect(await query(`video${d.nr}`)).toEqual(d);
      expect(await query(String(d.nr))).toEqual(d);
      expect(await query('Lib Test')).toEqual(d);
      expect(await query(d.nr)).toEqual(d);
    } finally {
      await within(30_000, 'remove()', remove('Lib Test'));
    }
    expect((await list()).map((x) => x.nr)).not.toContain(d.nr);
    expect(existsSync(d.path)).toBe(false);
  });

  it('adds a split device with an automatic capture node; either node names it', async () => {
    const d = await scope().device({ label: 'Split', captureNr: 'auto' });
    expect(d.split).toBe(true);
    expect(d.captureNr).not.toBe(d.nr);
    expect(existsSync(d.capturePath)).toBe(true);
    expect(await query(d.capturePath)).toEqual(d);
    expect(await query(d.nr)).toEqual(d);
  });

  it('a taken number gives EEXIST; a misspelled option a TypeError with a suggestion', async () => {
    const d = await scope().device({ label: 'Taken' });
    await expect(add({ outputNr: d.nr })).rejects.toMatchObject({ code: 'EEXIST', syscall: 'ioctl', ioctl: 'V4L2LOOPBACK_CTL_ADD' });
    await expect(add({ lable: 'x' } as never)).rejects.toThrow('Unknown option "lable" for add() options (did you mean "label"?)');
    await expect(add({ maxBuffers: 0 })).rejects.toThrow(RangeError);
  });

  it('removing an open device fails with EBUSY and a hint', async () => {
    const d = await scope().device({ label: 'Busy' });
    await scope().open(d.nr);
    const err = (await remove(d.nr).catch((e: unknown) => e)) as V4l2Error;
    expect(err).toBeInstanceOf(V4l2Error);
    expect(err).toMatchObject({ code: 'EBUSY', errno: -16, syscall: 'ioctl', ioctl: 'V4L2LOOPBACK_CTL_REMOVE', path: d.path });
    expect(err.hint).toMatch(/in use/);
    expect(err.message).toMatch(/in use/);
  });

  it('names unknown devices clearly', async () => {
    await expect(query('No Such Label')).rejects.toMatchObject({ code: 'ERR_DEVICE_NOT_FOUND' });
    await expect(query(250)).rejects.toMatchObject({ code: 'ENODEV', ioctl: 'V4L2LOOPBACK_CTL_QUERY' });
    await expect(remove(250)).rejects.toMatchObject({ code: 'ENODEV' });
    await expect(query('/dev/null')).rejects.toThrow(TypeError);
  });
});

describe('device handle', () => {
  it('gets and sets caps, fps and the controls', async () => {
    const d = await scope().device({ label: 'Handle' });
    const h = await scope().open('Handle');
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
    expect(() => {
      h.caps = 'video/x-raw,format=YUY2';
    }).toThrow(/GStreamer caps/);
    h.sustainFramerate = false;
    expect(h.sustainFramerate).toBe(false);
    expect(h.state).toBe('capture'); // keep_format
    expect(h.readers).toBe(0);
    h.caps = 'any';
    expect(h.keepFormat).toBe(false);
    expect(h.controls().map((c) => c.name)).toEqual(expect.arrayContaining(['keep_format', 'sustain_framerate', 'timeout', 'timeout_image_io']));
    await h.close();
    expect(() => h.keepFormat).toThrow(`Device ${d.path} is closed`);
  });

  it('a fixed format refuses a producer asking for another size', async () => {
    const d = await scope().device({ label: 'Fixed' });
    const h = await scope().open(d.nr);
    h.caps = 'YUYV:320x240@30';
    await expect(VirtualCamera.open({ device: d.nr, width: 640, height: 480, format: 'yuyv' })).rejects.toMatchObject({ code: 'ERR_FORMAT_REFUSED' });
    h.keepFormat = false;
  });

  it('VirtualCamera.open({ create }) makes a device and close() removes it', async () => {
    const cam = await scope().camera({ create: { label: 'Created' }, width: 320, height: 240, format: 'yuyv' });
    const nr = cam.info!.nr;
    expect((await list()).map((x) => x.label)).toContain('Created');
    await cam.close();
    expect((await list()).map((x) => x.nr)).not.toContain(nr);
  });

  it('VirtualCamera.open({ label }) finds the device by label', async () => {
    const d = await scope().device({ label: 'By Label' });
    const cam = await scope().camera({ label: 'By Label', width: 320, height: 240, format: 'yuyv' });
    expect(cam.device).toBe(d.path);
  });
});
