// bench.test.ts - smoke test of `make bench`'s C driver against the real
// module: one tiny scenario (640x480 YUYV, mmap, 2 consumers, 30 fps, 1 s)
// on a device it creates, summarized by bench/lib/stats.ts; the result must
// be well-formed and plausible. Then the reference producers of the Node
// comparison: copying, converting RGB with the addon's BT.601 routine, and
// both kept up answering "run SECONDS" lines. The full matrix is `make
// bench` (not CI).
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RawRun, scenarioId, summarizeRun } from '../../../bench/lib/stats.js';
import { run, runOk } from '../helpers/kernel.js';

const top = join(import.meta.dirname, '..', '..', '..');
// What bench/Makefile links: the driver and the addon's BT.601 conversion.
const sources = ['bench/v4l2l-bench.c', 'bench/bt601-ref.cc', 'bench/Makefile', 'addon/bt601.cc', 'addon/bt601.h', 'addon/planes.cc', 'addon/planes.h'].map((f) => join(top, f));

/** The host build (make -C bench) when up to date, else one built here into /tmp (the host tree is read-only). */
async function driver(): Promise<string> {
  const host = join(top, 'out', 'bench', 'v4l2l-bench');
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (existsSync(host) && statSync(host).mtimeMs >= newest) return host;
  const dir = join(tmpdir(), 'v4l2l-bench');
  mkdirSync(dir, { recursive: true });
  await runOk('make', ['-s', '-C', join(top, 'bench'), `OUT=${dir}`], { timeoutMs: 300_000 });
  return join(dir, 'v4l2l-bench');
}

interface Produced {
  ok: boolean;
  frames: number;
  seconds: number;
  userUs: number;
  systemUs: number;
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

  it('has the reference producers of the Node comparison: copying, converting RGB, and kept up between windows', async () => {
    const bin = await driver();
    const dev = await json<{ ok: boolean; output: number }>(bin, ['mkdev', '1']);
    const base = ['produce', '-o', `/dev/video${dev.output}`, '-s', '320x240', '-f', 'YUYV', '-i', 'mmap'];
    try {
      const copy = await json<Produced>(bin, [...base, '-t', '0.4']);
      const rgb = await json<Produced>(bin, [...base, '-t', '0.4', '-F', 'RGB3']);
      for (const p of [copy, rgb]) {
        expect(p).toMatchObject({ ok: true });
        expect(p.frames).toBeGreaterThan(0);
        expect(p.seconds).toBeGreaterThanOrEqual(0.4);
        expect(p.userUs + p.systemUs).toBeGreaterThan(0);
      }
      // a conversion per frame costs more than a copy per frame
      expect((rgb.userUs + rgb.systemUs) / rgb.frames).toBeGreaterThan((copy.userUs + copy.systemUs) / copy.frames);
      const bad = await run(bin, [...base, '-t', '0.4', '-F', 'NV12']);
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, errno: 22 });

      const served = await runOk(bin, [...base, '-t', '0', '-F', 'RGB3'], { input: 'run 0.2\nrun 0.2\nbogus\n' });
      const lines = served.stdout.trim().split('\n').map((l) => JSON.parse(l) as Partial<Produced> & { ready?: boolean });
      expect(lines).toHaveLength(4);
      expect(lines[0]).toEqual({ ok: true, ready: true });
      for (const w of lines.slice(1, 3)) {
        expect(w.ok).toBe(true);
        expect(w.frames).toBeGreaterThan(0);
        expect(w.seconds).toBeGreaterThanOrEqual(0.2);
      }
      expect(lines[3]).toMatchObject({ ok: false, error: 'bad command' });
    } finally {
      await runOk(bin, ['rmdev', String(dev.output)]);
    }
  });
});
