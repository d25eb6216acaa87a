// bench/lib/stats.ts - the pure parts of the loopback benchmark: the scenario
// matrix, statistics over the C driver's raw output (percentiles, fps, drops,
// CPU per delivered frame from /proc/stat ticks), the targets of issue #6 and
// the ours/theirs ratios. No I/O: unit-tested on the host.

export type Io = 'mmap' | 'write';

export interface Scenario {
  /** Stable key, also used to pair ours with theirs: 'YUYV-1920x1080-mmap-c8-30fps'. */
  id: string;
  fourcc: 'YUYV' | 'NV12';
  width: number;
  height: number;
  io: Io;
  consumers: number;
  /** Producer pace; 0 = unpaced (as fast as it can). */
  fps: number;
}

export const SIZES: ReadonlyArray<readonly [number, number]> = [
  [640, 480],
  [1280, 720],
  [1920, 1080],
  [3840, 2160],
];
export const CONSUMERS = [1, 2, 4, 8] as const;
export const PACES = [30, 60, 0] as const;
export const IOS: readonly Io[] = ['mmap', 'write'];

export function scenarioId(s: Omit<Scenario, 'id'>): string {
  return `${s.fourcc}-${s.width}x${s.height}-${s.io}-c${s.consumers}-${s.fps ? `${s.fps}fps` : 'unpaced'}`;
}

export function frameBytes(fourcc: string, width: number, height: number): number {
  if (fourcc === 'NV12') return (width * height * 3) / 2;
  if (fourcc === 'YUYV') return width * height * 2;
  throw new RangeError(`Expected fourcc YUYV or NV12 but received ${fourcc}`);
}

export function sizeLabel(width: number, height: number): string {
  const named: Record<string, string> = { '640x480': '480p', '1280x720': '720p', '1920x1080': '1080p', '3840x2160': '2160p' };
  return named[`${width}x${height}`] ?? `${width}x${height}`;
}

/** The full matrix of issue #6 (YUYV at every size, NV12 at 1080p), or the quick subset. */
export function scenarioMatrix(quick = false): Scenario[] {
  const shapes: Array<[Scenario['fourcc'], number, number]> = SIZES.map(([w, h]) => ['YUYV', w, h] as [Scenario['fourcc'], number, number]);
  shapes.push(['NV12', 1920, 1080]);
  const out: Scenario[] = [];
  for (const [fourcc, width, height] of shapes) {
    for (const io of IOS) {
      for (const consumers of CONSUMERS) {
        for (const fps of PACES) {
          const s = { fourcc, width, height, io, consumers, fps };
          if (quick && !inQuick(s)) continue;
          out.push({ id: scenarioId(s), ...s });
        }
      }
    }
  }
  return out;
}

function inQuick(s: Omit<Scenario, 'id'>): boolean {
  if (s.fourcc !== 'YUYV' || (s.width !== 640 && s.width !== 1920)) return false;
  if (s.io === 'write') return s.consumers === 1 && s.fps === 30;
  return (s.consumers === 1 || s.consumers === 8) && s.fps !== 60;
}

/** Keeps the scenarios whose id contains every comma-separated part of filter. */
export function filterScenarios(list: Scenario[], filter: string | undefined): Scenario[] {
  if (!filter) return list;
  const parts = filter.split(',').filter(Boolean);
  return list.filter((s) => parts.every((p) => s.id.includes(p)));
}

/** Largest sample; NaN when empty (a loop: a fast scenario has too many samples to spread into Math.max). */
export function maxOf(samples: readonly number[]): number {
  let max = Number.NaN;
  for (const v of samples) if (Number.isNaN(max) || v > max) max = v;
  return max;
}

/** Nearest-rank percentile (p in [0, 100]) of unsorted samples; NaN when empty. */
export function percentile(samples: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`Expected percentile in [0, 100] but received ${p}`);
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

// ---- the C driver's output ---------------------------------------------------

export interface RawTicks {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

export interface RawConsumer {
  path: string;
  buffers: number;
  frames: number;
  first: number;
  last: number;
  skips: number;
  unstamped: number;
  error?: string;
  errno?: number;
  latencyUs: number[];
}

export interface RawRun {
  ok: true;
  width: number;
  height: number;
  fourcc: string;
  sizeimage: number;
  io: Io;
  fps: number;
  userHz: number;
  ncpu: number;
  producer: { frames: number; seconds: number; late: number; buffers: number };
  windowSeconds: number;
  ticks: RawTicks;
  consumers: RawConsumer[];
}

export interface ConsumerResult {
  fps: number;
  frames: number;
  /** Fraction of the producer's frames this consumer got, 0..1. */
  delivered: number;
  dropped: number;
  buffers: number;
  error?: string;
}

export interface ScenarioResult extends Scenario {
  sizeimage: number;
  seconds: number;
  producer: { frames: number; fps: number; late: number };
  consumerResults: ConsumerResult[];
  minConsumerFps: number;
  minDelivered: number;
  dropped: number;
  latency: { p50Us: number; p99Us: number; maxUs: number; samples: number };
  cpu: {
    /** user+nice+system+irq+softirq over the scenario, whole system. */
    busySeconds: number;
    /** Busy share of all CPUs, 0..1. */
    utilization: number;
    /** Whole-system CPU per frame delivered to a consumer (all consumers' frames summed). */
    usPerDeliveredFrame: number;
    /** /proc/stat tick deltas over the scenario. */
    ticks?: RawTicks;
  };
  /** CPU time of one memcpy of this frame in the same guest run, µs. */
  memcpyUs: number;
  /** The same copy by "rep movsb" (the kernel's memcpy on 6.1 with ERMS; 6.12 needs FSRM for it), µs. */
  movsbUs: number;
  /** The scenario's own memcpy sample when memcpyUs is the run's median (useRunReferences). */
  memcpySampleUs?: number;
  /** How the guest kernel's memcpy copies (useRunReferences): 'movsb' before 6.3 with ERMS, else a mov loop without FSRM. */
  kernelCopy?: 'movsb' | 'mov-loop';
  /** usPerDeliveredFrame / memcpyUs. */
  cpuVsMemcpy: number;
  error?: string;
}

export function busyTicks(t: RawTicks): number {
  return t.user + t.nice + t.system + t.irq + t.softirq;
}

/** Turns one run of the C driver into the figures we report. */
export function summarizeRun(s: Scenario, raw: RawRun, memcpyUs: number, movsbUs = Number.NaN): ScenarioResult {
  const pf = raw.producer.frames;
  const secs = raw.producer.seconds;
  const consumerResults: ConsumerResult[] = raw.consumers.map((c) => ({
    fps: secs > 0 ? c.frames / secs : 0,
    frames: c.frames,
    delivered: pf > 0 ? c.frames / pf : 0,
    dropped: Math.max(0, pf - c.frames),
    buffers: c.buffers,
    ...(c.error ? { error: `${c.error} (errno ${c.errno ?? '?'})` } : {}),
  }));
  const lat = raw.consumers.flatMap((c) => c.latencyUs);
  const delivered = raw.consumers.reduce((a, c) => a + c.frames, 0);
  const busy = busyTicks(raw.ticks) / raw.userHz;
  const all = (busyTicks(raw.ticks) + raw.ticks.idle + raw.ticks.iowait + raw.ticks.steal) / raw.userHz;
  const usPerDeliveredFrame = delivered > 0 ? (busy * 1e6) / delivered : Number.NaN;
  const errors = consumerResults.filter((c) => c.error).map((c) => c.error);
  return {
    ...s,
    sizeimage: raw.sizeimage,
    seconds: secs,
    producer: { frames: pf, fps: secs > 0 ? pf / secs : 0, late: raw.producer.late },
    consumerResults,
    minConsumerFps: Math.min(...consumerResults.map((c) => c.fps)),
    minDelivered: Math.min(...consumerResults.map((c) => c.delivered)),
    dropped: consumerResults.reduce((a, c) => a + c.dropped, 0),
    latency: { p50Us: percentile(lat, 50), p99Us: percentile(lat, 99), maxUs: maxOf(lat), samples: lat.length },
    cpu: { busySeconds: busy, utilization: all > 0 ? busy / all : 0, usPerDeliveredFrame, ticks: raw.ticks },
    memcpyUs,
    movsbUs,
    cpuVsMemcpy: usPerDeliveredFrame / memcpyUs,
    ...(errors.length ? { error: [...new Set(errors)].join('; ') } : {}),
  };
}

/** A scenario that could not run at all (module refused, driver failed). */
export function failedResult(s: Scenario, memcpyUs: number, error: string, movsbUs = Number.NaN): ScenarioResult {
  return {
    ...s,
    sizeimage: frameBytes(s.fourcc, s.width, s.height),
    seconds: 0,
    producer: { frames: 0, fps: 0, late: 0 },
    consumerResults: [],
    minConsumerFps: 0,
    minDelivered: 0,
    dropped: 0,
    latency: { p50Us: Number.NaN, p99Us: Number.NaN, maxUs: Number.NaN, samples: 0 },
    cpu: { busySeconds: 0, utilization: 0, usPerDeliveredFrame: Number.NaN },
    memcpyUs,
    movsbUs,
    cpuVsMemcpy: Number.NaN,
    error,
  };
}

// ---- targets ------------------------------------------------------------------

export const TARGETS = {
  cpuVsMemcpy: 1.5,
  minDelivered8at1080p30: 0.99,
  p99OverP50: 2,
  nodeZeroCopy: 1.3,
  nodeRgb: 2,
} as const;

export type Verdict = 'met' | 'missed' | 'n/a';

export interface RowVerdicts {
  cpu: Verdict;
  delivery: Verdict;
  latency: Verdict;
  why: string[];
}

/** The physical limit in this guest: frames per second when all the CPUs do is one rep movsb copy per consumer. */
export function copyLimitFps(r: ScenarioResult): number {
  // The producer's mutex serializes a frame's copies: one CPU does them all.
  return 1e6 / (r.consumers * r.movsbUs);
}

/** Frames of the worst consumer over the frames the nominal pace asks for (paced), else over the producer's. */
export function deliveredOfNominal(r: ScenarioResult): number {
  if (!r.fps || !r.seconds) return r.minDelivered;
  const nominal = Math.max(1, Math.round(r.fps * r.seconds));
  const worst = Math.min(...r.consumerResults.map((c) => c.frames));
  return r.consumerResults.length ? Math.min(1, worst / nominal) : 0;
}

/**
 * Takes the run's median memcpy and rep movsb times per frame size as the
 * reference of every scenario (each scenario's own short sample stays in
 * memcpySampleUs): one 0.25 s sample on the shared host can be 10x off.
 */
export function useRunReferences(list: ScenarioResult[], memcpyUs: Record<string, number>, movsbUs: Record<string, number>, kernel = ''): ScenarioResult[] {
  const m = /^(\d+)\.(\d+)/.exec(kernel);
  // 6.3 dropped memcpy_erms: later kernels use rep movsb only with FSRM, which TCG's -cpu max lacks.
  const kernelCopy = m ? (Number(m[1]) * 100 + Number(m[2]) < 603 ? 'movsb' : 'mov-loop') : undefined;
  return list.map((r) => {
    const key = String(frameBytes(r.fourcc, r.width, r.height));
    const mc = memcpyUs[key] ?? r.memcpyUs;
    return {
      ...r,
      memcpySampleUs: r.memcpySampleUs ?? r.memcpyUs,
      memcpyUs: mc,
      movsbUs: movsbUs[key] ?? r.movsbUs,
      cpuVsMemcpy: r.cpu.usPerDeliveredFrame / mc,
      ...(kernelCopy ? { kernelCopy } : {}),
    };
  });
}

/** Which of the issue's targets apply to a scenario, whether they are met, and why not. */
export function judgeScenario(r: ScenarioResult): RowVerdicts {
  const why: string[] = [];
  if (r.error && r.producer.frames === 0) return { cpu: 'n/a', delivery: 'n/a', latency: 'n/a', why: [r.error] };
  const saturated = r.cpu.utilization > 0.9;
  const cantPace = r.fps > 0 && r.producer.fps < 0.97 * r.fps;

  let cpu: Verdict = 'n/a';
  if (Number.isFinite(r.cpuVsMemcpy)) {
    cpu = r.cpuVsMemcpy <= TARGETS.cpuVsMemcpy ? 'met' : 'missed';
    if (cpu === 'missed') {
      if (r.io === 'write') why.push('write() copies each frame into the kernel before the per-consumer copies');
      if (r.minDelivered < 0.9) why.push('consumers dropped frames the producer paid for');
      if (r.memcpyUs < 1000 && r.fps > 0) why.push('fixed per-frame cost (syscalls, wake-ups, TCG exits) outweighs a small memcpy');
    }
  }

  let delivery: Verdict = 'n/a';
  if (r.consumers === 8 && r.height === 1080 && r.fps === 30) {
    // Of the frames a 30 fps producer sends: a producer that cannot keep the pace fails it too.
    delivery = deliveredOfNominal(r) >= TARGETS.minDelivered8at1080p30 ? 'met' : 'missed';
    if (delivery === 'missed') {
      if (cantPace) why.push(`producer reached only ${r.producer.fps.toFixed(1)} of ${r.fps} fps`);
      const limit = copyLimitFps(r);
      if (limit < r.fps && r.kernelCopy === 'movsb') why.push(`${r.consumers} kernel copies (rep movsb, ${(r.movsbUs / 1000).toFixed(1)} ms each under TCG) allow at most ${limit.toFixed(1)} fps`);
      if (saturated) why.push(`guest CPUs ${Math.round(r.cpu.utilization * 100)}% busy (TCG)`);
    }
  }

  let latency: Verdict = 'n/a';
  if (r.fps > 0 && r.latency.samples > 0) {
    latency = r.latency.p99Us <= TARGETS.p99OverP50 * r.latency.p50Us ? 'met' : 'missed';
    if (latency === 'missed' && saturated) why.push('CPU saturated: wake-ups queue behind copies');
    else if (latency === 'missed') why.push('scheduling jitter of the shared TCG guest');
  }
  if (r.error) why.push(r.error);
  return { cpu, delivery, latency, why: [...new Set(why)] };
}

export interface ProducerMeasure {
  frames: number;
  seconds: number;
  /** user+system CPU of the producer process per frame, µs (the median of `samples` when there are rounds). */
  cpuUsPerFrame: number;
  /** CPU µs per frame of every measured window, in round order (NaN for a failed window). */
  samples?: number[];
  error?: string;
}

export interface NodeComparison {
  width: number;
  height: number;
  fourcc: string;
  /** Windows per producer; the producers take turns within each round. */
  rounds?: number;
  /** memcpy of a prepared frame into the mapped buffer + QBUF. */
  c: ProducerMeasure;
  /** The C producer converting a prepared RGB frame with addon/bt601.cc's routine (absent in runs before it existed). */
  cRgb?: ProducerMeasure;
  /** acquire() + fill in place + publish(). */
  nodeZeroCopy: ProducerMeasure;
  /** send() of a frame already in the device format. */
  nodeSend: ProducerMeasure;
  /** send() of an RGB frame, converted into the device buffer. */
  nodeRgb: ProducerMeasure;
}

/** Median of the finite values; NaN when there are none. */
export function median(values: readonly number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/**
 * One producer's windows as one measure: frames and seconds summed, CPU
 * per frame the median over the windows (a burst of host load hits one
 * window, not the figure). The first error is kept.
 */
export function combineWindows(windows: readonly ProducerMeasure[]): ProducerMeasure {
  const samples = windows.map((w) => (w.error ? Number.NaN : w.cpuUsPerFrame));
  const error = windows.find((w) => w.error)?.error;
  return {
    frames: windows.reduce((a, w) => a + w.frames, 0),
    seconds: windows.reduce((a, w) => a + w.seconds, 0),
    cpuUsPerFrame: median(samples),
    samples,
    ...(error ? { error } : {}),
  };
}

/**
 * CPU per frame of `a` over `b`. With windows on both sides (taken in the
 * same rounds) the median of the per-round ratios, so that drift of the
 * shared host between rounds cancels; else the ratio of the two figures.
 */
export function producerRatio(a: ProducerMeasure, b: ProducerMeasure): number {
  if (a.error || b.error) return Number.NaN;
  const sa = a.samples;
  const sb = b.samples;
  if (sa && sb && sa.length === sb.length && sa.length > 0) return median(sa.map((x, i) => ratio(x, sb[i]!)));
  return ratio(a.cpuUsPerFrame, b.cpuUsPerFrame);
}

export interface NodeVerdicts {
  /** Node zero-copy over the C producer (target ≤ TARGETS.nodeZeroCopy). */
  zeroCopy: number;
  /** Node send() of a frame in the device format over the C producer. */
  send: number;
  /** Node send() of an RGB frame over the C producer converting with the same routine (target ≤ TARGETS.nodeRgb). */
  rgb: number;
  /** Node send() of an RGB frame over the C producer that only copies (what runs before cRgb showed). */
  rgbVsCopy: number;
  /** The C producer converting over the C producer copying: what the conversion itself costs. */
  cRgbVsCopy: number;
  zeroCopyOk: boolean;
  rgbOk: boolean;
}

export function nodeVerdicts(n: NodeComparison): NodeVerdicts {
  const zeroCopy = producerRatio(n.nodeZeroCopy, n.c);
  const send = producerRatio(n.nodeSend, n.c);
  const rgb = n.cRgb ? producerRatio(n.nodeRgb, n.cRgb) : Number.NaN;
  return {
    zeroCopy,
    send,
    rgb,
    rgbVsCopy: producerRatio(n.nodeRgb, n.c),
    cRgbVsCopy: n.cRgb ? producerRatio(n.cRgb, n.c) : Number.NaN,
    zeroCopyOk: zeroCopy <= TARGETS.nodeZeroCopy,
    rgbOk: rgb <= TARGETS.nodeRgb,
  };
}

// ---- ours / theirs --------------------------------------------------------------

export interface Ratios {
  producerFps: number;
  minConsumerFps: number;
  cpuPerFrame: number;
  p50: number;
  p99: number;
}

/** Ratio a/b, NaN when either side is missing or b is 0. */
export function ratio(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return Number.NaN;
  return a / b;
}

export function compareRuns(ours: ScenarioResult, theirs: ScenarioResult): Ratios {
  return {
    producerFps: ratio(ours.producer.fps, theirs.producer.fps),
    minConsumerFps: ratio(ours.minConsumerFps, theirs.minConsumerFps),
    cpuPerFrame: ratio(ours.cpu.usPerDeliveredFrame, theirs.cpu.usPerDeliveredFrame),
    p50: ratio(ours.latency.p50Us, theirs.latency.p50Us),
    p99: ratio(ours.latency.p99Us, theirs.latency.p99Us),
  };
}

/** Pairs scenarios of two runs by id; those missing on either side are left out. */
export function pairRuns(ours: ScenarioResult[], theirs: ScenarioResult[]): Array<{ ours: ScenarioResult; theirs: ScenarioResult; ratios: Ratios }> {
  const byId = new Map(theirs.map((t) => [t.id, t]));
  const out: Array<{ ours: ScenarioResult; theirs: ScenarioResult; ratios: Ratios }> = [];
  for (const o of ours) {
    const t = byId.get(o.id);
    if (t) out.push({ ours: o, theirs: t, ratios: compareRuns(o, t) });
  }
  return out;
}

/** Geometric mean of the finite positive values; NaN when there are none. */
export function geomean(values: readonly number[]): number {
  const v = values.filter((x) => Number.isFinite(x) && x > 0);
  if (v.length === 0) return Number.NaN;
  return Math.exp(v.reduce((a, x) => a + Math.log(x), 0) / v.length);
}
