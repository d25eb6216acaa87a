// clients.test.ts - real programs on both ends: ffmpeg and GStreamer as
// producers (write() and mmap streaming) and consumers, and two consumers
// at once.
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModule, run } from '../helpers/kernel.js';
import { background, sysfs, waitForProducer } from '../helpers/kmod.js';

const W = 320;
const H = 240;
const FRAME = W * H * 2; // YUYV

/** ffmpeg producer: testsrc through write() (ffmpeg's v4l2 output device) */
function ffmpegProducer(nr: number, seconds: number) {
  return background(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', `testsrc=size=${W}x${H}:rate=15`,
     '-t', String(seconds), '-pix_fmt', 'yuyv422', '-f', 'v4l2', `/dev/video${nr}`],
    (seconds + 30) * 1000,
  );
}

/** ffmpeg consumer: n frames of raw video into a file; returns its size */
async function ffmpegConsume(nr: number, frames: number, name: string): Promise<number> {
  const out = join(tmpdir(), `${name}.yuv`);
  const r = await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'v4l2', '-i', `/dev/video${nr}`,
    '-frames:v', String(frames), '-f', 'rawvideo', '-y', out], { timeoutMs: 60_000 });
  expect(r.code, `ffmpeg consumer on /dev/video${nr}: ${r.stderr}`).toBe(0);
  return statSync(out).size;
}

describe('real clients', () => {
  afterAll(async () => {
    await loadModule();
  });

  it('ffmpeg (write) -> ffmpeg, exclusive_caps=1', async () => {
    await loadModule({ exclusive_caps: 1, card_label: 'ffmpeg-test' });
    const producer = ffmpegProducer(0, 10);
    try {
      await waitForProducer(0);
      expect(sysfs(0, 'format')).toMatch(/^YUYV:320x240@/);
      expect(await ffmpegConsume(0, 20, 'ff-ff')).toBe(20 * FRAME);
    } finally {
      await producer.stop();
    }
  });

  it('ffmpeg (write) -> GStreamer v4l2src', async () => {
    await loadModule();
    const producer = ffmpegProducer(0, 10);
    try {
      await waitForProducer(0);
      const r = await run('gst-launch-1.0', ['-q', 'v4l2src', 'device=/dev/video0', 'num-buffers=20', '!',
        `video/x-raw,format=YUY2,width=${W},height=${H}`, '!', 'fakesink', 'sync=false'], { timeoutMs: 60_000 });
      expect(r.code, r.stderr + r.stdout).toBe(0);
    } finally {
      await producer.stop();
    }
  });

  it('GStreamer v4l2sink (mmap) -> ffmpeg', async () => {
    await loadModule();
    const producer = background('gst-launch-1.0', ['-q', 'videotestsrc', 'num-buffers=200', '!',
      `video/x-raw,width=${W},height=${H},format=YUY2,framerate=15/1`, '!', 'v4l2sink', 'device=/dev/video0'], 60_000);
    try {
      await waitForProducer(0);
      expect(await ffmpegConsume(0, 20, 'gst-ff')).toBe(20 * FRAME);
    } finally {
      await producer.stop();
    }
  });

  it('two ffmpeg consumers at once (split device, two capture nodes)', async () => {
    await loadModule({ capture_nodes: 2 });
    const producer = ffmpegProducer(0, 15);
    try {
      await waitForProducer(0);
      const [a, b] = await Promise.all([ffmpegConsume(1, 30, 'two-a'), ffmpegConsume(2, 30, 'two-b')]);
      expect(a).toBe(30 * FRAME);
      expect(b).toBe(30 * FRAME);
      expect(sysfs(0, 'readers')).toBe('0');
    } finally {
      await producer.stop();
    }
  });
});
