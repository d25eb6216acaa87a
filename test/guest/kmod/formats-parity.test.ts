// formats-parity.test.ts - the formats the classic module gained after
// 0.15.0: XBGR32 ('XR24', raw, 4 bytes per pixel) and AV1 ('AV01',
// compressed): listed by ENUM_FMT with the right flags and sizes, and whole
// stamped frames from a producer reach a consumer.
import { afterAll, describe, expect, it } from 'vitest';
import { loadModule, runOk } from '../helpers/kernel.js';
import { consume, startProducer, sysfs, waitForProducer } from '../helpers/kmod.js';

describe('XR24 and AV01', () => {
  afterAll(async () => {
    await loadModule();
  });

  it('ENUM_FMT lists both; XR24 is 4 bytes per pixel, AV01 compressed', async () => {
    await loadModule({ capture_nr: -2 });
    const list = (await runOk('v4l2-ctl', ['-d', '/dev/video0', '--list-formats-out'])).stdout;
    expect(list).toMatch(/'XR24' \(32-bit BGRX 8-8-8-8\)/);
    // the kernel names the formats it knows itself: 7.x says "AV1 OBU
    // Stream", older kernels keep the driver's "AV1"
    expect(list).toMatch(/'AV01' \(AV1( OBU Stream)?, compressed\)/);
    const xr = (await runOk('v4l2-ctl', ['-d', '/dev/video0', '--set-fmt-video-out', 'width=320,height=240,pixelformat=XR24', '--get-fmt-video-out'])).stdout;
    expect(xr).toMatch(/Bytes per Line\s*: 1280/);
    expect(xr).toMatch(/Size Image\s*: 307200/);
    const av = (await runOk('v4l2-ctl', ['-d', '/dev/video0', '--set-fmt-video-out', 'width=320,height=240,pixelformat=AV01', '--get-fmt-video-out'])).stdout;
    expect(av).toMatch(/Pixel Format\s*: 'AV01'/);
    expect(av).toMatch(/Size Image\s*: 307200/);
  });

  for (const fourcc of ['XR24', 'AV01']) {
    it(`${fourcc}: whole stamped frames from producer to consumer`, async () => {
      await loadModule({ capture_nr: -2 });
      const producer = await startProducer(0, { size: '320x240', fps: 30, fourcc, mmap: true });
      try {
        await waitForProducer(0);
        expect(sysfs(1, 'format')).toMatch(new RegExp(`^${fourcc}:320x240@30`));
        const r = await consume(1, { frames: 20 });
        expect(r.error, JSON.stringify(r)).toBeUndefined();
        expect(r).toMatchObject({ frames: 20, torn: 0, unstamped: 0, bytesMismatch: 0, seqBackwards: 0 });
      } finally {
        await producer.stop();
      }
    });
  }
});
