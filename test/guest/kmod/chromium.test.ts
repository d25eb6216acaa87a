// chromium.test.ts - headless Chromium (Debian's, driven by playwright-core
// through demo/chromium.ts, with --use-fake-ui-for-media-stream) lists and
// plays an exclusive_caps=1 combined node and a split capture node through
// getUserMedia; the pixels it draws match what the producer sent (ffmpeg's
// SMPTE bars, rendered again offline to RGB), within YUV conversion
// tolerance. Chromium is slow under TCG: one launch serves both nodes.
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModule, runOk } from '../helpers/kernel.js';
import { background, waitForProducer } from '../helpers/kmod.js';
import { browserTests } from '../helpers/run-scope.js';

const W = 320;
const H = 240;
const SRC = `smptebars=size=${W}x${H}:rate=15`;
// the centres of the seven 75% bars, in the upper part of the picture
const POINTS: [number, number][] = Array.from({ length: 7 }, (_, i) => [(i + 0.5) / 7, 0.3]);
// YUYV (4:2:2, limited range) to RGB in ffmpeg versus in Chromium
const TOLERANCE = 24;

const chromiumJs = join(import.meta.dirname, '..', '..', '..', 'dist', 'demo', 'chromium.js');
let ref: Buffer;
let browser: import('../../../demo/chromium.js').CameraBrowser | undefined;

function producer(nr: number) {
  return background('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', SRC,
    '-pix_fmt', 'yuyv422', '-f', 'v4l2', `/dev/video${nr}`], 400_000);
}

async function play(label: string) {
  if (!browser) {
    const { openCameraBrowser } = (await import(chromiumJs)) as typeof import('../../../demo/chromium.js');
    browser = await openCameraBrowser();
  }
  return browser.play({ label, seconds: 3, points: POINTS });
}

function expectBars(p: Awaited<ReturnType<typeof play>>, label: string): void {
  const all = JSON.stringify(p);
  expect(p.cameras.some((c) => c.startsWith(label)), all).toBe(true);
  expect([p.width, p.height], all).toEqual([W, H]);
  expect(p.frames, all).toBeGreaterThan(0);
  for (const s of p.samples) {
    const i = (s.y * W + s.x) * 3;
    const want = [ref[i]!, ref[i + 1]!, ref[i + 2]!];
    const diff = Math.max(...want.map((v, c) => Math.abs(v - s.rgba[c]!)));
    expect(diff, `pixel (${s.x},${s.y}): got ${s.rgba.slice(0, 3).join(',')}, sent ${want.join(',')}\n${all}`).toBeLessThanOrEqual(TOLERANCE);
  }
}


describe.skipIf(!browserTests)('headless Chromium (make test: newest kernel only)', () => {
  beforeAll(async () => {
    expect(existsSync(chromiumJs), `${chromiumJs} is missing: run npm run build on the host`).toBe(true);
    const file = join(tmpdir(), 'ref-smptebars.rgb');
    await runOk('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', SRC, '-frames:v', '1',
      '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-y', file], { timeoutMs: 60_000 });
    ref = readFileSync(file);
  });

  afterAll(async () => {
    await browser?.close();
    await loadModule();
  });

  it('plays an exclusive_caps=1 node', { timeout: 300_000 }, async () => {
    await loadModule({ exclusive_caps: 1, card_label: 'LoopExcl' });
    const p = producer(0);
    try {
      await waitForProducer(0);
      expectBars(await play('LoopExcl'), 'LoopExcl');
    } finally {
      await p.stop();
    }
  });

  it('plays a split capture node', { timeout: 300_000 }, async () => {
    await loadModule({ capture_nr: -2, card_label: 'LoopSplit' });
    const p = producer(0);
    try {
      await waitForProducer(0);
      expectBars(await play('LoopSplit'), 'LoopSplit');
    } finally {
      await p.stop();
    }
  });
});
