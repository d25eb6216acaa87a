// node-habits.test.ts - the library behaving as Node users expect, against
// the real module: close() resolves (never rejects) when a consumer keeps a
// created device, AbortSignal and read timeouts end waits, frames go in as
// any ArrayBufferView, fractional frame rates reach the device, VirtualCamera
// and Capture work as Writable and Readable streams, and cleanupOnSignal
// removes a created device on SIGTERM.
import { writeFileSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { type CapturedFrame, list, remove, VirtualCamera } from '../../../src/index.js';
import { start } from '../helpers/kernel.js';
import { until, useTestScope, within } from './scope.js';

const scope = useTestScope();
const W = 320;
const H = 240;
const dist = join(import.meta.dirname, '..', '..', '..', 'dist', 'src', 'index.js');

describe('close()', () => {
  it('of a camera whose created device a consumer holds resolves with the EBUSY, and no rejection is left', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const cam = await VirtualCamera.open({ create: { label: 'Held' }, width: W, height: H, format: 'yuyv' });
      await cam.send(Buffer.alloc(cam.frameBytes));
      const fh = await openFile(cam.device, 'r');
      let r;
      try {
        r = await within(30_000, 'close()', cam.close());
        expect(await cam.close()).toBe(r);
      } finally {
        await fh.close();
      }
      expect(r.removed).toBe(false);
      expect(r.error).toMatchObject({ code: 'EBUSY', ioctl: 'V4L2LOOPBACK_CTL_REMOVE' });
      expect((await list()).map((d) => d.path)).toContain(cam.device);
      await remove(cam.info!.nr);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('AbortSignal and timeouts', () => {
  it('open, read, frame iteration and nextFrame end with an AbortError; read times out with ERR_READ_TIMEOUT', async () => {
    const d = await scope().device({ label: 'Abort' });
    const aborted = AbortSignal.abort();
    await expect(VirtualCamera.open({ device: d.nr, width: W, height: H, signal: aborted })).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    const cam = await scope().camera({ device: d.nr, width: W, height: H, format: 'yuyv', fps: 1 });
    await cam.send(Buffer.alloc(cam.frameBytes, 0x40));
    const cap = await scope().capture({ device: d.nr, readTimeout: 300 });
    await cam.send(Buffer.alloc(cam.frameBytes, 0x40));
    await within(10_000, 'first frame', cap.read({ timeout: 10_000 }));
    const t0 = performance.now();
    await expect(within(10_000, 'read() timeout', cap.read())).rejects.toMatchObject({ code: 'ERR_READ_TIMEOUT' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await expect(within(10_000, 'read() abort', cap.read({ signal: ac.signal, timeout: 60_000 }))).rejects.toMatchObject({ name: 'AbortError' });
    // after an abort the capture still works
    await cam.send(Buffer.alloc(cam.frameBytes, 0x41));
    expect((await within(10_000, 'read() after abort', cap.read())).data[0]).toBe(0x41);
    const ac2 = new AbortController();
    setTimeout(() => ac2.abort(), 100);
    await expect(within(10_000, 'frames() abort', (async () => {
      for await (const f of cap.frames({ signal: ac2.signal, timeout: 60_000 })) void f;
    })())).rejects.toMatchObject({ name: 'AbortError' });
    await cam.nextFrame();
    const ac3 = new AbortController();
    setTimeout(() => ac3.abort(), 100);
    await expect(within(10_000, 'nextFrame() abort', cam.nextFrame({ signal: ac3.signal }))).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('frames in', () => {
  it('send() takes a Uint8ClampedArray and a DataView; a fractional fps reaches the device', async () => {
    const d = await scope().device({ label: 'Views' });
    const cam = await scope().camera({ device: d.nr, width: W, height: H, format: 'yuyv', fps: 29.97 });
    expect(cam.fpsFraction).toEqual({ numerator: 30000, denominator: 1001 });
    const h = await scope().open(d.nr);
    expect(h.fpsFraction).toEqual({ numerator: 30000, denominator: 1001 });
    const cap = await scope().capture({ device: d.nr, readTimeout: 10_000 });
    const clamped = new Uint8ClampedArray(W * H * 2).fill(200);
    await cam.send(clamped);
    expect((await cap.read()).data.every((b) => b === 200)).toBe(true);
    const big = new ArrayBuffer(W * H * 2 + 16);
    new Uint8Array(big).fill(7, 16);
    await cam.send(new DataView(big, 16));
    expect((await cap.read()).data.every((b) => b === 7)).toBe(true);
    expect(() => cam.send(new Uint16Array(10))).toThrow(RangeError);
  });
});

describe('streams', () => {
  it('a Readable of frames piped into createWriteStream() reaches createReadStream()', async () => {
    const d = await scope().device({ label: 'Streams' });
    const cam = await scope().camera({ device: d.nr, width: W, height: H, format: 'yuyv', fps: 30 });
    const cap = await scope().capture({ device: d.nr, readTimeout: 20_000 });
    const frames = Array.from({ length: 90 }, (_, n) => Buffer.alloc(W * H * 2, n + 1));
    const ws = cam.createWriteStream({ pace: true });
    expect(ws.writableObjectMode).toBe(true);
    expect(ws.writableHighWaterMark).toBe(2);
    const seen: number[] = [];
    const reading = pipeline(
      cap.createReadStream(),
      new Writable({
        objectMode: true,
        write(f: CapturedFrame, _e, cb) {
          seen.push(f.data[0]!);
          // enough seen: end the pipeline (destroying the read stream closes the capture)
          cb(seen.length === 5 ? new Error('enough') : null);
        },
      }),
    ).catch((e: Error) => e.message);
    await within(60_000, 'pipeline into the camera', pipeline(Readable.from(frames), ws));
    expect(cam.framesSent).toBe(90);
    expect(await cam.close()).toMatchObject({ removed: false }); // autoClose closed it already
    expect(await within(30_000, 'reading side', reading)).toBe('enough');
    expect(seen).toHaveLength(5);
    expect(seen.every((v, i) => i === 0 || v >= seen[i - 1]!)).toBe(true);
  });

  it('dropWhenBusy never waits: every frame is sent or counted as dropped', async () => {
    const d = await scope().device({ label: 'Drop', maxBuffers: 2 });
    const cam = await scope().camera({ device: d.nr, width: W, height: H, format: 'yuyv', buffers: 2 });
    const ws = cam.createWriteStream({ dropWhenBusy: true, autoClose: false });
    const frame = Buffer.alloc(cam.frameBytes, 9);
    await within(30_000, 'burst', pipeline(Readable.from(Array.from({ length: 200 }, () => frame)), ws));
    expect(cam.framesSent + cam.framesDropped).toBe(200);
    expect(cam.framesSent).toBeGreaterThan(0);
  });
});

describe('cleanupOnSignal', () => {
  it('SIGTERM removes the created device, then the process ends by the signal', async () => {
    const script = join(tmpdir(), 'v4l2l-cleanup.mjs');
    writeFileSync(
      script,
      `import { VirtualCamera } from ${JSON.stringify(dist)};
const cam = await VirtualCamera.open({ create: { label: 'Signal Cleanup' }, cleanupOnSignal: true, width: 320, height: 240, format: 'yuyv' });
console.log(cam.device);
for (;;) { await cam.send(Buffer.alloc(cam.frameBytes)); await cam.nextFrame(); }
`,
    );
    const p = start(process.execPath, [script], { timeoutMs: 60_000 });
    let out = '';
    p.child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    await until(30_000, 'the child to print its device', () => out.includes('\n'));
    const path = out.trim();
    expect((await list()).map((x) => x.path)).toContain(path);
    p.child.kill('SIGTERM');
    const r = await p.result;
    expect(r.signal, r.stderr).toBe('SIGTERM');
    expect((await list()).map((x) => x.path)).not.toContain(path);
  });
});
