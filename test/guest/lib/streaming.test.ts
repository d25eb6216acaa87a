// streaming.test.ts - VirtualCamera and Capture against the real module:
// frames through both io methods with pixel checks, ffmpeg as the consumer,
// the zero-copy path, the readers event, the timeout image and pacing.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { add, Capture, convertFrame, type LoopbackDevice, open, remove, VirtualCamera } from '../../../src/index.js';
import { loadModule, run } from '../helpers/kernel.js';

const W = 320;
const H = 240;

/** A frame with per-frame content: a gradient shifted by n. */
function yuyvFrame(n: number): Buffer {
  const f = Buffer.alloc(W * H * 2);
  for (let i = 0; i < f.length; i++) f[i] = (i * 7 + n * 13) & 0xff;
  return f;
}

function rgbFrame(n: number): Buffer {
  const f = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // 2x2-constant blocks so 4:2:0 subsampling loses nothing
      const bx = x & ~1;
      const by = y & ~1;
      f.set([(bx + n) & 0xff, (by * 2) & 0xff, ((bx + by) >> 1) & 0xff], (y * W + x) * 3);
    }
  }
  return f;
}

function maxDiff(a: Uint8Array, b: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

let dev: LoopbackDevice;

beforeAll(async () => {
  await loadModule({ devices: 0 });
  dev = await add({ label: 'Stream Test', maxBuffers: 4, captureNr: 'auto' });
});

afterAll(async () => {
  await remove(dev.nr).catch(() => undefined);
});

/**
 * Sends frames while reading; returns the first captured frame that
 * `matches` one of the frames sent (a new consumer may first get the
 * previous producer's last frame).
 */
async function roundTrip(cam: VirtualCamera, cap: Capture, make: (n: number) => Buffer, matches: (got: Buffer, sent: Buffer) => boolean) {
  const sent: Buffer[] = [];
  let stop = false;
  const producer = (async () => {
    for (let n = 0; !stop && n < 300; n++) {
      const f = make(n);
      sent.push(f);
      await cam.send(f);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const failed = producer.then(() => new Promise<never>(() => undefined));
  const timeout = (ms: number) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no frame within ${ms} ms`)), ms));
  try {
    for (let i = 0; i < 20; i++) {
      const frame = await Promise.race([cap.read(), failed, timeout(20_000)]);
      if (sent.some((f) => matches(frame.data, f))) return { frame, sent };
    }
    return { frame: undefined, sent };
  } finally {
    stop = true;
    await producer;
  }
}

describe('VirtualCamera to Capture', () => {
  for (const io of ['mmap', 'write'] as const) {
    it(`YUYV passes through exactly (${io})`, async () => {
      await using cam = await VirtualCamera.open({ device: dev.nr, width: W, height: H, format: 'yuyv', io });
      expect(cam.nativeFormat).toBe('yuyv');
      await using cap = await Capture.open({ device: dev.nr });
      const { frame, sent } = await roundTrip(cam, cap, yuyvFrame, (got, f) => got.equals(f));
      expect(frame, 'a captured frame equals one that was sent').toBeDefined();
      expect(frame).toMatchObject({ width: W, height: H, format: 'yuyv', fourcc: 'YUYV' });
      expect(frame!.timestamp).toBeGreaterThan(0);
      expect(cam.framesSent).toBe(sent.length);
    });
  }

  // RGB->YUV and back are rounding-correct BT.601 (unit tests): only the
  // quantisation to 8-bit YUV remains, within 2 per channel.
  it('RGB goes out as I420 and comes back within 2 per channel', async () => {
    await using cam = await VirtualCamera.open({ device: dev.nr, width: W, height: H, format: 'rgb' });
    expect(cam.nativeFormat).toBe('i420');
    await using cap = await Capture.open({ device: dev.nr, format: 'rgb' });
    const { frame } = await roundTrip(cam, cap, rgbFrame, (got, f) => maxDiff(got, f) <= 2);
    expect(frame, 'a captured frame within 2 of one sent').toBeDefined();
    expect(frame!.format).toBe('rgb');
  });

  it('zero copy: acquire a mapped buffer, fill it, publish', async () => {
    await using cam = await VirtualCamera.open({ device: dev.nr, width: W, height: H, format: 'yuyv', io: 'mmap' });
    await using cap = await Capture.open({ device: dev.nr });
    const frames = cap[Symbol.asyncIterator]();
    const next = frames.next();
    let done = false;
    void next.then(() => (done = true));
    const expected = yuyvFrame(99);
    for (let i = 0; i < 100 && !done; i++) {
      const buf = await cam.acquire();
      expect(buf.data.byteLength).toBeGreaterThanOrEqual(W * H * 2);
      buf.data.set(expected);
      await cam.publish(buf);
      await new Promise((r) => setTimeout(r, 20));
    }
    const r = await next;
    expect(Buffer.from(r.value!.data).equals(expected)).toBe(true);
    await frames.return(undefined);
    await expect(cam.publish()).rejects.toMatchObject({ code: 'ERR_NO_BUFFER' });
  });

  it('rejects frames of the wrong size or type', async () => {
    await using cam = await VirtualCamera.open({ device: dev.nr, width: W, height: H, format: 'rgb' });
    expect(() => cam.send(Buffer.alloc(10))).toThrow(`Expected frame of ${W * H * 3} bytes (${W}x${H} rgb) but received 10 bytes`);
    expect(() => cam.send([1, 2, 3] as never)).toThrow(TypeError);
  });
});

describe('ffmpeg consumes what VirtualCamera sends', () => {
  it('reads YUYV frames pixel-exact', async () => {
    await using cam = await VirtualCamera.open({ device: dev.nr, width: W, height: H, format: 'yuyv', fps: 30 });
    const frame = yuyvFrame(7);
    let stop = false;
    const feeder = (async () => {
      while (!stop) {
        await cam.send(frame);
        await cam.nextFrame();
      }
    })();
    const file = `/tmp/ffmpeg-${process.pid}.yuv`;
    const r = await run('ffmpeg', ['-v', 'error', '-y', '-f', 'v4l2', '-input_format', 'yuyv422', '-i', dev.capturePath, '-frames:v', '3', '-f', 'rawvideo', file], { timeoutMs: 90_000 });
    stop = true;
    await feeder;
    expect(r.code, r.stderr).toBe(0);
    const out = readFileSync(file);
    expect(out.length).toBe(3 * frame.length);
    for (let i = 0; i < 3; i++) expect(out.subarray(i * frame.length, (i + 1) * frame.length).equals(frame)).toBe(true);
  });
});

describe('device events and timeouts', () => {
  it("fires 'readers' when a consumer starts and stops", async () => {
    const h = await open(dev.nr);
    const counts: number[] = [];
    const seen = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (counts.includes(n) ? resolve() : setTimeout(check, 20));
        check();
      });
    h.on('readers', (n) => counts.push(n));
    try {
      await using cam = await VirtualCamera.open({ device: dev.nr, width: W, height: H, format: 'yuyv' });
      await cam.send(yuyvFrame(1));
      const cap = await Capture.open({ device: dev.nr });
      await seen(1);
      expect(h.readers).toBe(1);
      await cap.close();
      await seen(0);
      expect(counts).toEqual([1, 0]);
      expect(h.readers).toBe(0);
    } finally {
      await h.close();
    }
  });

  // Skipped: the image never reaches consumers yet; the library's write of
  // the image (timeout_image_io, next opener) and the module's side are being
  // checked against each other.
  it.skip('shows the timeout image once the producer stops (pending: module/library timeout-image handshake)', async () => {
    const png = new PNG({ width: 64, height: 48 });
    for (let i = 0; i < 64 * 48; i++) png.data.set([200, 30, 60, 255], i * 4);
    const image = PNG.sync.write(png);
    await using cam = await VirtualCamera.open({ device: dev.nr, width: W, height: H, format: 'yuyv', io: 'write' });
    await cam.send(yuyvFrame(3));
    const h = await open(dev.nr);
    try {
      await h.setTimeoutImage(image, { timeoutMs: 300 });
      expect(h.timeout).toBe(300);
      const rgb = Buffer.alloc(W * H * 3);
      for (let i = 0; i < W * H; i++) rgb.set([200, 30, 60], i * 3);
      const expected = Buffer.from(convertFrame(rgb, 'rgb', 'yuyv', W, H));
      await using cap = await Capture.open({ device: dev.nr });
      await cam.send(yuyvFrame(4)); // the producer's last frame
      let found = false;
      for (let i = 0; i < 60 && !found; i++) {
        const f = await cap.read();
        found = maxDiff(f.data, expected) <= 1;
      }
      expect(found, 'a captured frame shows the timeout image').toBe(true);
    } finally {
      h.timeout = 0;
      await h.close();
    }
  });
});

describe('pacing', () => {
  it('holds 30 fps within 2% over 10 s', async () => {
    await using cam = await VirtualCamera.open({ device: dev.nr, width: W, height: H, format: 'yuyv', fps: 30 });
    const frame = yuyvFrame(0);
    await cam.nextFrame();
    const t0 = performance.now();
    for (let i = 0; i < 300; i++) {
      await cam.send(frame);
      await cam.nextFrame();
    }
    const fps = 300 / ((performance.now() - t0) / 1000);
    expect(Math.abs(fps - 30) / 30).toBeLessThan(0.02);
    expect(Math.abs(cam.currentFps - 30) / 30).toBeLessThan(0.1);
  }, 60_000);
});
