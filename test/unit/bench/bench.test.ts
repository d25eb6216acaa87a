// bench.test.ts - the pure parts of `make bench` (bench/lib/): scenario
// matrix, percentiles, summarizing the C driver's output, target verdicts,
// ours/theirs ratios, markdown tables and the PNG chart.
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { renderChart } from '../../../bench/lib/chart.js';
import {
  combineWindows,
  deliveredOfNominal,
  filterScenarios,
  geomean,
  judgeScenario,
  median,
  nodeVerdicts,
  pairRuns,
  maxOf,
  percentile,
  producerRatio,
  ratio,
  type RawRun,
  type Scenario,
  scenarioId,
  scenarioMatrix,
  summarizeRun,
  useRunReferences,
} from '../../../bench/lib/stats.js';
import { fmtMs, nodeTable, type RunFile, scenarioTable, targetSummary } from '../../../bench/lib/table.js';

function scenario(over: Partial<Scenario> = {}): Scenario {
  const s = { fourcc: 'YUYV' as const, width: 1920, height: 1080, io: 'mmap' as const, consumers: 8, fps: 30, ...over };
  return { ...s, id: scenarioId(s) };
}

function raw(over: { frames?: number[]; lat?: number[]; busy?: number; idle?: number; producer?: number } = {}): RawRun {
  const frames = over.frames ?? [60, 60];
  return {
    ok: true,
    width: 1920,
    height: 1080,
    fourcc: 'YUYV',
    sizeimage: 4147200,
    io: 'mmap',
    fps: 30,
    userHz: 100,
    ncpu: 2,
    producer: { frames: over.producer ?? 60, seconds: 2, late: 0, buffers: 4 },
    windowSeconds: 2.1,
    ticks: { user: 0, nice: 0, system: over.busy ?? 24, idle: over.idle ?? 396, iowait: 0, irq: 0, softirq: 0, steal: 0 },
    consumers: frames.map((n, i) => ({
      path: `/dev/video${i + 1}`,
      buffers: 4,
      frames: n,
      first: 0,
      last: n - 1,
      skips: 0,
      unstamped: 0,
      latencyUs: over.lat ?? Array.from({ length: n }, (_, k) => 1000 + k),
    })),
  };
}

describe('scenario matrix', () => {
  it('covers the issue: 4 YUYV sizes + 1080p NV12, 2 io methods, 4 consumer counts, 3 paces', () => {
    const all = scenarioMatrix();
    expect(all).toHaveLength(5 * 2 * 4 * 3);
    expect(new Set(all.map((s) => s.id)).size).toBe(all.length);
    expect(all.map((s) => s.id)).toContain('NV12-1920x1080-write-c8-unpaced');
    expect(all.map((s) => s.id)).toContain('YUYV-3840x2160-mmap-c8-60fps');
  });
  it('has a small quick subset and filters by id parts', () => {
    const quick = scenarioMatrix(true);
    expect(quick.length).toBeGreaterThan(2);
    expect(quick.length).toBeLessThan(15);
    expect(filterScenarios(scenarioMatrix(), '1280x720,c8,30fps').map((s) => s.id)).toEqual(['YUYV-1280x720-mmap-c8-30fps', 'YUYV-1280x720-write-c8-30fps']);
    expect(filterScenarios(quick, undefined)).toBe(quick);
  });
});

describe('statistics', () => {
  it('finds the largest of more samples than fit a spread into Math.max', () => {
    const many = Array.from({ length: 500_000 }, (_, i) => (i * 7919) % 500_000);
    expect(maxOf(many)).toBe(499_999);
    expect(maxOf([])).toBeNaN();
  });

  it('takes nearest-rank percentiles of unsorted samples', () => {
    const v = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 99)).toBe(99);
    expect(percentile(v, 100)).toBe(100);
    expect(percentile(v, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
  it('ratios and geometric means skip what is missing', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 1)).toBeNaN();
    expect(geomean([2, 8, Number.NaN, 0])).toBeCloseTo(4);
    expect(geomean([])).toBeNaN();
  });
});

describe('summarizeRun', () => {
  it('computes fps, delivery, drops, latency and CPU per delivered frame', () => {
    const r = summarizeRun(scenario({ consumers: 2 }), raw({ frames: [60, 57] }), 2000, 14000);
    expect(r.producer.fps).toBe(30);
    expect(r.consumerResults.map((c) => c.fps)).toEqual([30, 28.5]);
    expect(r.minDelivered).toBeCloseTo(0.95);
    expect(r.dropped).toBe(3);
    expect(r.latency.samples).toBe(117);
    expect(r.latency.p50Us).toBe(1029); // the 59th of 117: 1000..1056 twice, then 1057..1059
    // 24 ticks at 100 Hz = 0.24 s over 117 frames
    expect(r.cpu.usPerDeliveredFrame).toBeCloseTo(240000 / 117);
    expect(r.cpu.utilization).toBeCloseTo(24 / 420);
    expect(r.cpuVsMemcpy).toBeCloseTo(240000 / 117 / 2000);
    expect(r.error).toBeUndefined();
  });
  it('carries consumer errors', () => {
    const x = raw({ frames: [60, 0] });
    x.consumers[1] = { ...x.consumers[1]!, error: 'REQBUFS', errno: 12, latencyUs: [] };
    const r = summarizeRun(scenario({ consumers: 2 }), x, 2000);
    expect(r.error).toBe('REQBUFS (errno 12)');
    expect(r.minDelivered).toBe(0);
  });
});

describe('targets', () => {
  it('judges CPU against memcpy, delivery at 8 x 1080p30, and p99/p50 when paced', () => {
    const good = summarizeRun(scenario(), raw({ frames: Array(8).fill(60), busy: 70, lat: [1000, 1100, 1200, 1300] }), 1000);
    expect(good.cpuVsMemcpy).toBeLessThanOrEqual(1.5);
    expect(judgeScenario(good)).toMatchObject({ cpu: 'met', delivery: 'met', latency: 'met', why: [] });

    const bad = summarizeRun(scenario({ io: 'write' }), raw({ frames: Array(8).fill(40), busy: 400, idle: 0, lat: [1000, 1000, 1000, 9000] }), 1000);
    const v = judgeScenario(bad);
    expect(v).toMatchObject({ cpu: 'missed', delivery: 'missed', latency: 'missed' });
    expect(v.why.join(' ')).toMatch(/write\(\)/);
    expect(v.why.join(' ')).toMatch(/busy/);

    const unpaced = summarizeRun(scenario({ fps: 0, consumers: 1 }), raw({ frames: [60] }), 1000);
    expect(judgeScenario(unpaced)).toMatchObject({ delivery: 'n/a', latency: 'n/a' });
  });
  it('counts delivery at 8 x 1080p30 against the nominal 30 fps, not only the frames sent', () => {
    const slow = summarizeRun(scenario(), raw({ frames: Array(8).fill(16), producer: 16 }), 1000);
    expect(slow.minDelivered).toBe(1);
    expect(deliveredOfNominal(slow)).toBeCloseTo(16 / 60);
    expect(judgeScenario(slow).delivery).toBe('missed');
    expect(judgeScenario(slow).why.join(' ')).toMatch(/producer reached only 8\.0 of 30 fps/);
  });
  it('uses the run median of the copy references', () => {
    const r = summarizeRun(scenario(), raw(), 9000, 50000);
    const [u] = useRunReferences([r], { '4147200': 1000 }, { '4147200': 7000 }, '6.1.0-56-amd64');
    expect(u).toMatchObject({ memcpyUs: 1000, movsbUs: 7000, memcpySampleUs: 9000, kernelCopy: 'movsb' });
    expect(useRunReferences([r], {}, {}, '6.12.117+deb12-amd64')[0]?.kernelCopy).toBe('mov-loop');
    expect(u?.cpuVsMemcpy).toBeCloseTo(r.cpu.usPerDeliveredFrame / 1000);
  });
  it('compares the Node producer with the C one; RGB against the C producer converting with the same routine', () => {
    const m = (us: number) => ({ frames: 100, seconds: 2, cpuUsPerFrame: us });
    const v = nodeVerdicts({ width: 640, height: 480, fourcc: 'YUYV', c: m(100), cRgb: m(5000), nodeZeroCopy: m(120), nodeSend: m(140), nodeRgb: m(5500) });
    expect(v).toEqual({ zeroCopy: 1.2, send: 1.4, rgb: 1.1, rgbVsCopy: 55, cRgbVsCopy: 50, zeroCopyOk: true, rgbOk: true });
    // runs from before the converting C producer: no RGB verdict, the old ratio kept for reference
    const old = nodeVerdicts({ width: 640, height: 480, fourcc: 'YUYV', c: m(100), nodeZeroCopy: m(140), nodeSend: m(140), nodeRgb: m(250) });
    expect(old).toMatchObject({ zeroCopy: 1.4, zeroCopyOk: false, rgbVsCopy: 2.5, rgbOk: false });
    expect(old.rgb).toBeNaN();
    expect(old.cRgbVsCopy).toBeNaN();
  });
  it('pairs the producers window by window: the median of the per-round ratios', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2, Number.NaN])).toBe(2.5);
    expect(median([])).toBeNaN();
    const w = (us: number, error?: string) => ({ frames: 10, seconds: 0.25, cpuUsPerFrame: us, ...(error ? { error } : {}) });
    const c = combineWindows([w(100), w(200), w(100), w(100)]);
    expect(c).toEqual({ frames: 40, seconds: 1, cpuUsPerFrame: 100, samples: [100, 200, 100, 100] });
    // the host slowed down in round 2 for both: the paired ratio ignores it
    const node = combineWindows([w(130), w(260), w(125), w(135)]);
    expect(producerRatio(node, c)).toBeCloseTo(1.3);
    // without windows: the plain ratio; an error on either side: NaN
    expect(producerRatio(w(150), w(100))).toBe(1.5);
    const broken = combineWindows([w(100), w(0, 'exited')]);
    expect(broken.error).toBe('exited');
    expect(broken.samples).toEqual([100, Number.NaN]);
    expect(producerRatio(broken, c)).toBeNaN();
  });
  it('pairs ours with theirs by scenario id', () => {
    const ours = [summarizeRun(scenario(), raw(), 1000), summarizeRun(scenario({ consumers: 1 }), raw({ frames: [60] }), 1000)];
    const theirs = [summarizeRun(scenario(), raw({ busy: 48, frames: [30, 30] }), 1000)];
    const p = pairRuns(ours, theirs);
    expect(p).toHaveLength(1);
    expect(p[0]?.ratios.minConsumerFps).toBe(2);
    expect(p[0]?.ratios.cpuPerFrame).toBeCloseTo(0.25);
  });
});

describe('markdown', () => {
  const ours = [summarizeRun(scenario(), raw({ frames: Array(8).fill(60), busy: 70 }), 1000, 5000)];
  it('renders one row per scenario with verdicts, and ratio columns with theirs', () => {
    const t = scenarioTable(ours);
    const lines = t.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('latency p50 / p99 ms');
    expect(lines[2]).toMatch(/^\| 1080p YUYV mmap ×8 30 fps \| 30\.0 \| 30\.0 \/ 30\.0 \| 100\.0% \| 0 \|/);
    expect(lines[2]).toContain('✓');
    const withTheirs = scenarioTable(ours, [summarizeRun(scenario(), raw({ frames: Array(8).fill(30), busy: 70 }), 1000)]);
    expect(withTheirs.split('\n')[0]).toContain('ours/theirs CPU');
    expect(withTheirs.split('\n')[2]).toContain('2.00x');
    expect(fmtMs(1234)).toBe('1.23');
    expect(fmtMs(Number.NaN)).toBe('–');
  });
  it('summarizes the targets of a run', () => {
    const m = (us: number) => ({ frames: 1, seconds: 1, cpuUsPerFrame: us });
    const run: RunFile = {
      label: 'ours', kernel: '6.1', module: { path: 'x.ko', srcversion: 'S', version: '' }, date: '', secondsPerScenario: 2,
      memcpyUs: {}, movsbUs: {}, idleBusy: [0.01], scenarios: ours, errors: [],
      node: [
        { width: 640, height: 480, fourcc: 'YUYV', rounds: 8, c: m(100), cRgb: m(5000), nodeZeroCopy: m(150), nodeSend: m(150), nodeRgb: m(5500) },
        { width: 1920, height: 1080, fourcc: 'YUYV', c: m(1000), nodeZeroCopy: m(1200), nodeSend: m(1300), nodeRgb: m(50000) },
      ],
    };
    const s = targetSummary(run);
    expect(s.map((l) => l.verdict)).toEqual(['met', 'met', 'met', 'missed', 'met', 'met', 'n/a']);
    expect(s[4]?.detail).toBe('1.10x (55.00x of the C producer that only copies)');
    expect(s[6]?.detail).toMatch(/no converting C producer in this run \(50\.00x/);
    const t = nodeTable(run.node).split('\n');
    expect(t[0]).toContain('C RGB → YUYV');
    expect(t[2]).toBe("| 640x480 YUYV | 100 | 5000 (50.00x of C) | 150 (1.50x) | 150 (1.50x) | 5500 (1.10x of C RGB, 55.00x of C) | ✗ | ✓ |");
    expect(t[3]).toBe('| 1920x1080 YUYV | 1000 | – | 1200 (1.20x) | 1300 (1.30x) | 50000 (50.00x of C) | ✓ | – |');
    expect(t[5]).toMatch(/^8 rounds per size/);
  });
});

describe('chart', () => {
  it('renders a PNG of the requested layout', () => {
    const png = renderChart('title', [
      { title: 'a', xLabels: ['480p', '720p'], yLabel: 'fps', log: true, series: [{ name: 'one', color: [255, 0, 0], values: [10, 100] }] },
      { title: 'b', xLabels: ['480p', '720p'], yLabel: 'µs', series: [{ name: 'two', color: [0, 0, 255], dashed: true, values: [Number.NaN, 5] }] },
    ]);
    const img = PNG.sync.read(png);
    expect([img.width, img.height]).toEqual([1280, 500]);
    // some red was drawn
    let red = 0;
    for (let i = 0; i < img.data.length; i += 4) if (img.data[i] === 255 && img.data[i + 1] === 0) red++;
    expect(red).toBeGreaterThan(50);
  });
});
