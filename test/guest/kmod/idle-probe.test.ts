// idle-probe.test.ts - consumers probe a split device's capture node before
// any producer exists and close again (v4l2-compliance, PipeWire's and
// Chromium's sequences); a producer that comes afterwards, in another
// format and size than the probe left, must write without blocking and its
// frames must reach a new consumer with the right pixels. The same after
// v4l2-compliance probed the idle output node.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadModule, run, runOk } from '../helpers/kernel.js';
import { background, compliance, consume, prog, readJson, startProducer, sysfs, waitForProducer } from '../helpers/kmod.js';

const OUT = 10;
const CAP = 11;

/** devices=0, then ADD a split device as the issue does: /dev/video10 -> /dev/video11 */
async function addSplit(): Promise<void> {
  await loadModule({ devices: 0 });
  await runOk(await prog('v4l2l-ctlio'), ['add', `output_nr=${OUT}`, `capture_nr=${CAP}`]);
}

interface ProducerReport {
  frames: number;
  width: number;
  height: number;
  fourcc: string;
  maxBlockMs: number;
  error?: string;
}

/**
 * The stamping producer in a format the probes did not leave (I420 at
 * 320x240, 15 fps), a consumer that must get 10 whole stamped frames, and
 * write() never blocking for longer than a frame period plus a margin.
 */
async function expectProducerReachesConsumer(mmap = false): Promise<void> {
  const producer = await startProducer(OUT, { size: '320x240', fourcc: 'YU12', fps: 15, frames: 90, mmap });
  try {
    await waitForProducer(OUT);
    expect(sysfs(CAP, 'format')).toMatch(/^YU12:320x240@15/);
    const c = await consume(CAP, { frames: 10, timeoutS: 30 });
    expect(c.error, JSON.stringify(c)).toBeUndefined();
    expect(c).toMatchObject({ frames: 10, torn: 0, unstamped: 0, bytesMismatch: 0 });
  } catch (err) {
    await producer.stop();
    throw err;
  }
  const r = await producer.done;
  const report = readJson<ProducerReport>(r.stdout);
  expect(report, r.stdout + r.stderr).toMatchObject({ frames: 90, width: 320, height: 240, fourcc: 'YU12' });
  // a frame period (1/15 s) plus a margin for an emulated guest
  expect(report.maxBlockMs).toBeLessThan(67 + 500);
}

describe('idle probes leave nothing behind', () => {
  beforeEach(addSplit);
  afterAll(async () => {
    await loadModule();
  });

  it('v4l2-compliance, then ffmpeg write() -> ffmpeg: 10 of 10 frames with the right pixels', async () => {
    const idle = await compliance(['-d', `/dev/video${CAP}`]);
    expect(idle.total).toBeGreaterThan(0);
    // a still pattern, so every frame the producer sends is the same
    const src = 'smptebars=size=640x480:rate=30';
    const ref = join(tmpdir(), 'idle-ref.yuv');
    await runOk('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', src, '-frames:v', '1',
      '-pix_fmt', 'yuyv422', '-f', 'rawvideo', '-y', ref]);
    const want = createHash('sha1').update(readFileSync(ref)).digest('hex');
    const producer = background('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi',
      '-i', src, '-t', '60', '-pix_fmt', 'yuyv422', '-f', 'v4l2', `/dev/video${OUT}`], 90_000);
    try {
      await waitForProducer(OUT, 40_000);
      expect(sysfs(CAP, 'format')).toMatch(/^YUYV:640x480@/);
      const out = join(tmpdir(), 'idle-out.yuv');
      const r = await run('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-f', 'v4l2', '-i', `/dev/video${CAP}`,
        '-frames:v', '10', '-f', 'rawvideo', '-y', out], { timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(0);
      const data = readFileSync(out);
      const frame = 640 * 480 * 2;
      expect(data.length).toBe(10 * frame);
      for (let i = 0; i < 10; i++) {
        expect(createHash('sha1').update(data.subarray(i * frame, (i + 1) * frame)).digest('hex'), `frame ${i}`).toBe(want);
      }
      expect(Number(sysfs(OUT, 'frames'))).toBeGreaterThan(10);
    } finally {
      await producer.stop();
    }
  });

  it("PipeWire's probe (REQBUFS(32), EXPBUF, REQBUFS(0) per format), then a producer in another format", async () => {
    const r = await run(await prog('v4l2l-probe'), ['pipewire', `/dev/video${CAP}`]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(sysfs(CAP, 'format')).not.toMatch(/^YU12:320x240/);
    await expectProducerReachesConsumer();
  });

  it("Chromium's sequence (S_FMT, REQBUFS(4), mmap, STREAMON, restart, close), then a producer (write and mmap)", async () => {
    const r = await run(await prog('v4l2l-probe'), ['chromium', `/dev/video${CAP}`, 'YUYV', '640x480'], { timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await expectProducerReachesConsumer();
    await run(await prog('v4l2l-probe'), ['chromium', `/dev/video${CAP}`, 'NV12', '1280x720'], { timeoutMs: 60_000 });
    await expectProducerReachesConsumer(true);
  });

  // v4l2-compliance presses every button, timeout_image_io included, then
  // takes output buffers itself: that uses the press up, so the next
  // producer is an ordinary one, not the timeout image writer.
  it('v4l2-compliance on the output node, then a producer reaches a consumer', async () => {
    const idle = await compliance(['-d', `/dev/video${OUT}`]);
    expect(idle.total).toBeGreaterThan(0);
    await expectProducerReachesConsumer();
  });
});
