// bench.test.ts - smoke test of `make bench`'s C driver against the real
// module: one tiny scenario (640x480 YUYV, mmap, 2 consumers, 30 fps, 1 s)
// on a device it creates, summarized by bench/lib/stats.ts; the result must
// be well-formed and plausible. The full matrix is `make bench` (not CI).
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RawRun, scenarioId, summarizeRun } from '../../../bench/lib/stats.js';
import { runOk } from '../helpers/kernel.js';

const top = join(import.meta.dirname, '..', '..', '..');
const src = join(top, 'bench', 'v4l2l-bench.c');

/** The host build (make -C bench) when up to date, else one built here into /tmp. */
async function driver(): Promise<string> {
  const host = join(top, 'out', 'bench', 'v4l2l-bench');
  if (existsSync(host) && statSync(host).mtimeMs >= statSync(src).mtimeMs) return host;
  const dir = join(tmpdir(), 'v4l2l-bench');
  mkdirSync(dir, { recursive: true });
  const bin = join(dir, 'v4l2l-bench');
  await runOk('gcc', ['-O2', '-Wall', '-o', bin, src, '-pthread'], { timeoutMs: 120_000 });
  return bin;
}

async function json<T>(bin: string, args: string[], timeoutMs = 60_000): Promise<T> {
  const r = await runOk(bin, args, { timeoutMs });
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as T;
}

describe('bench driver', () => {
  it('runs one tiny scenario and reports plausible figures', async () => {
    const bin = await driver();
    const mc = await json<{ ok: boolean; nsPerCopy: number }>(bin, ['memcpy', String(640 * 480 * 2), '0.2']);
    expect(mc.ok).toBe(true);
    expect(mc.nsPerCopy).toBeGreaterThan(0);

    const dev = await json<{ ok: boolean; output: number; captures: number[]; split: boolean }>(bin, ['mkdev', '2']);
    expect(dev).toMatchObject({ ok: true, split: true });
    expect(dev.captures).toHaveLength(2);
    try {
      const raw = await json<RawRun>(bin, [
        'run', '-o', `/dev/video${dev.output}`, '-c', dev.captures.map((c) => `/dev/video${c}`).join(','),
        '-s', '640x480', '-f', 'YUYV', '-i', 'mmap', '-r', '30', '-t', '1',
      ]);
      expect(raw.ok).toBe(true);
      expect(raw).toMatchObject({ width: 640, height: 480, fourcc: 'YUYV', sizeimage: 614400, io: 'mmap', fps: 30 });
      expect(raw.consumers).toHaveLength(2);
      const s = { fourcc: 'YUYV' as const, width: 640, height: 480, io: 'mmap' as const, consumers: 2, fps: 30 };
      const r = summarizeRun({ id: scenarioId(s), ...s }, raw, mc.nsPerCopy / 1000);
      expect(r.error).toBeUndefined();
      // paced at 30 fps for 1 s: the producer cannot exceed the pace
      expect(r.producer.frames).toBeGreaterThan(5);
      expect(r.producer.fps).toBeLessThanOrEqual(31);
      for (const c of raw.consumers) {
        expect(c.unstamped).toBe(0);
        expect(c.frames).toBeGreaterThan(0);
        expect(c.frames).toBeLessThanOrEqual(r.producer.frames);
        expect(c.latencyUs).toHaveLength(c.frames);
      }
      expect(r.minDelivered).toBeGreaterThan(0);
      expect(r.minDelivered).toBeLessThanOrEqual(1);
      expect(r.latency.p50Us).toBeGreaterThan(0);
      expect(r.latency.p99Us).toBeGreaterThanOrEqual(r.latency.p50Us);
      expect(r.latency.p99Us).toBeLessThan(10_000_000);
      expect(r.cpu.busySeconds).toBeGreaterThan(0);
      expect(r.cpu.utilization).toBeGreaterThan(0);
      expect(r.cpu.utilization).toBeLessThanOrEqual(1);
      expect(r.cpu.usPerDeliveredFrame).toBeGreaterThan(0);
      expect(JSON.parse(JSON.stringify(r))).toMatchObject({ id: 'YUYV-640x480-mmap-c2-30fps' });
    } finally {
      await runOk(bin, ['rmdev', String(dev.output)]);
    }
  });
});
