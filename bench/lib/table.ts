// bench/lib/table.ts - renders the benchmark's results as markdown: the
// target summary (met/missed and why), the Node vs C producer table, and
// one row per scenario with ours/theirs ratios when another module ran.
// Pure: unit-tested on the host.
import {
  deliveredOfNominal,
  geomean,
  judgeScenario,
  type NodeComparison,
  nodeVerdicts,
  pairRuns,
  type ProducerMeasure,
  type Ratios,
  type ScenarioResult,
  sizeLabel,
  TARGETS,
} from './stats.js';

export interface RunFile {
  label: string;
  kernel: string;
  module: { path: string; srcversion: string; version: string };
  date: string;
  secondsPerScenario: number;
  memcpyUs: Record<string, number>;
  movsbUs: Record<string, number>;
  idleBusy: number[];
  scenarios: ScenarioResult[];
  node: NodeComparison[];
  errors: string[];
  /** Host /proc/loadavg before and after the guest run (other guests share the CPUs). */
  hostLoad?: string;
}

export interface KernelRuns {
  kernel: string;
  ours: RunFile;
  theirs?: RunFile;
}

export function fmt(v: number, digits = 1): string {
  if (!Number.isFinite(v)) return '–';
  return v.toFixed(digits);
}

export function fmtMs(us: number): string {
  if (!Number.isFinite(us)) return '–';
  const ms = us / 1000;
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

export function fmtRatio(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}x` : '–';
}

export function mark(v: 'met' | 'missed' | 'n/a'): string {
  return v === 'met' ? '✓' : v === 'missed' ? '✗' : '–';
}

function pace(fps: number): string {
  return fps ? `${fps} fps` : 'unpaced';
}

export function scenarioLabel(s: ScenarioResult): string {
  return `${sizeLabel(s.width, s.height)} ${s.fourcc} ${s.io} ×${s.consumers} ${pace(s.fps)}`;
}

/** One row per scenario; ratio columns when theirs is given. */
export function scenarioTable(ours: ScenarioResult[], theirs?: ScenarioResult[]): string {
  const ratios = new Map<string, Ratios>();
  if (theirs) for (const p of pairRuns(ours, theirs)) ratios.set(p.ours.id, p.ratios);
  const head = [
    'scenario',
    'producer fps',
    'consumer fps min / avg',
    'delivered min',
    'dropped',
    'latency p50 / p99 ms',
    'CPU µs / delivered frame',
    '÷ memcpy',
    '÷ rep movsb',
    `CPU ≤${TARGETS.cpuVsMemcpy}x`,
    `p99 ≤${TARGETS.p99OverP50}·p50`,
  ];
  if (theirs) head.push('ours/theirs fps', 'ours/theirs CPU', 'ours/theirs p99');
  head.push('why missed');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i === 0 || i === head.length - 1 ? '---' : '---:')).join('|')}|`];
  for (const r of ours) {
    const v = judgeScenario(r);
    const avg = r.consumerResults.length ? r.consumerResults.reduce((a, c) => a + c.fps, 0) / r.consumerResults.length : Number.NaN;
    const cells = [
      scenarioLabel(r),
      fmt(r.producer.fps),
      `${fmt(r.minConsumerFps)} / ${fmt(avg)}`,
      r.producer.frames ? `${fmt(r.minDelivered * 100)}%` : '–',
      String(r.dropped),
      `${fmtMs(r.latency.p50Us)} / ${fmtMs(r.latency.p99Us)}`,
      fmt(r.cpu.usPerDeliveredFrame, 0),
      fmtRatio(r.cpuVsMemcpy),
      fmtRatio(r.cpu.usPerDeliveredFrame / r.movsbUs),
      mark(v.cpu),
      mark(v.latency),
    ];
    if (theirs) {
      const q = ratios.get(r.id);
      cells.push(fmtRatio(q?.minConsumerFps ?? Number.NaN), fmtRatio(q?.cpuPerFrame ?? Number.NaN), fmtRatio(q?.p99 ?? Number.NaN));
    }
    const missed = v.cpu === 'missed' || v.latency === 'missed' || v.delivery === 'missed' || !!r.error;
    cells.push(missed ? v.why.join('; ') : '');
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function nodeTable(list: NodeComparison[]): string {
  const lines = [
    `| frame | C producer µs/frame | C RGB → YUYV (addon's BT.601) | Node zero-copy (acquire/publish) | Node send() same format | Node send() RGB → YUYV | zero-copy ≤${TARGETS.nodeZeroCopy}x | RGB ≤${TARGETS.nodeRgb}x C RGB |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const us = (m: ProducerMeasure): string => (m.error ? `error: ${m.error}` : fmt(m.cpuUsPerFrame, 0));
  const cell = (m: ProducerMeasure, r: number): string => (m.error ? `error: ${m.error}` : `${fmt(m.cpuUsPerFrame, 0)} (${fmtRatio(r)})`);
  const verdict = (r: number, ok: boolean): string => (Number.isFinite(r) ? (ok ? '✓' : '✗') : '–');
  for (const n of list) {
    const v = nodeVerdicts(n);
    const cRgb = n.cRgb ? `${us(n.cRgb)}${n.cRgb.error ? '' : ` (${fmtRatio(v.cRgbVsCopy)} of C)`}` : '–';
    const rgb = n.nodeRgb.error
      ? `error: ${n.nodeRgb.error}`
      : `${fmt(n.nodeRgb.cpuUsPerFrame, 0)} (${Number.isFinite(v.rgb) ? `${fmtRatio(v.rgb)} of C RGB, ` : ''}${fmtRatio(v.rgbVsCopy)} of C)`;
    lines.push(
      `| ${n.width}x${n.height} ${n.fourcc} | ${us(n.c)} | ${cRgb} | ${cell(n.nodeZeroCopy, v.zeroCopy)} | ${cell(n.nodeSend, v.send)} | ${rgb} | ${verdict(v.zeroCopy, v.zeroCopyOk)} | ${verdict(v.rgb, v.rgbOk)} |`,
    );
  }
  const rounds = list.find((n) => n.rounds)?.rounds;
  if (rounds) {
    lines.push(
      '',
      `${rounds} rounds per size; in each round every producer runs one window, in turn (the order reversed every other round). µs/frame: median over the windows; ratios: median of the per-round ratios, so that drift of the shared host between rounds cancels.`,
    );
  }
  return lines.join('\n');
}

export interface TargetLine {
  target: string;
  verdict: 'met' | 'missed' | 'partly met' | 'n/a';
  detail: string;
}

/** The issue's targets, judged over one kernel's run. */
export function targetSummary(run: RunFile): TargetLine[] {
  const out: TargetLine[] = [];
  const rs = run.scenarios;

  const sizes = [...new Set(rs.map((r) => `${r.width}x${r.height} ${r.fourcc}`))];
  const perSize = sizes.map((key) => {
    const at = rs.filter((r) => `${r.width}x${r.height} ${r.fourcc}` === key && Number.isFinite(r.cpuVsMemcpy));
    const met = at.filter((r) => judgeScenario(r).cpu === 'met').length;
    const best = at.reduce<ScenarioResult | undefined>((b, r) => (!b || r.cpuVsMemcpy < b.cpuVsMemcpy ? r : b), undefined);
    return { key, n: at.length, met, best };
  });
  const cpuMet = perSize.filter((s) => s.n > 0 && s.met === s.n).length;
  out.push({
    target: `CPU per delivered frame ≤ ${TARGETS.cpuVsMemcpy}x one memcpy of the frame, every size`,
    verdict: perSize.every((s) => s.n === 0) ? 'n/a' : cpuMet === perSize.length ? 'met' : perSize.some((s) => s.met > 0) ? 'partly met' : 'missed',
    detail: perSize
      .map((s) => `${s.key}: ${s.met}/${s.n} scenarios, best ${s.best ? `${fmtRatio(s.best.cpuVsMemcpy)} (${fmtRatio(s.best.cpu.usPerDeliveredFrame / s.best.movsbUs)} of rep movsb; ${scenarioLabel(s.best)})` : '–'}`)
      .join('; '),
  });

  const eight = rs.filter((r) => r.consumers === 8 && r.height === 1080 && r.fps === 30);
  const eightMet = eight.filter((r) => judgeScenario(r).delivery === 'met').length;
  out.push({
    target: `8 consumers at 1080p 30 fps: every consumer ≥ ${TARGETS.minDelivered8at1080p30 * 100}% of the frames`,
    verdict: eight.length === 0 ? 'n/a' : eightMet === eight.length ? 'met' : eightMet ? 'partly met' : 'missed',
    detail: eight
      .map((r) => `${r.fourcc} ${r.io}: worst consumer ${fmt(deliveredOfNominal(r) * 100)}% of 30 fps (${fmt(r.minDelivered * 100)}% of the ${r.producer.frames} frames sent at ${fmt(r.producer.fps)} fps)`)
      .join('; '),
  });

  const paced = rs.filter((r) => r.fps > 0 && r.latency.samples > 0);
  const latMet = paced.filter((r) => judgeScenario(r).latency === 'met').length;
  const ratios = paced.map((r) => r.latency.p99Us / r.latency.p50Us);
  out.push({
    target: `paced: latency p99 ≤ ${TARGETS.p99OverP50}x p50`,
    verdict: paced.length === 0 ? 'n/a' : latMet === paced.length ? 'met' : latMet ? 'partly met' : 'missed',
    detail: `${latMet}/${paced.length} paced scenarios; p99/p50 geometric mean ${fmtRatio(geomean(ratios))}`,
  });

  for (const n of run.node) {
    const v = nodeVerdicts(n);
    out.push({
      target: `Node VirtualCamera ≤ ${TARGETS.nodeZeroCopy}x C producer CPU per frame (zero-copy), ${n.width}x${n.height}`,
      verdict: Number.isFinite(v.zeroCopy) ? (v.zeroCopyOk ? 'met' : 'missed') : 'n/a',
      detail: `${fmtRatio(v.zeroCopy)} (send() same format ${fmtRatio(v.send)})`,
    });
    out.push({
      target: `Node VirtualCamera with RGB conversion ≤ ${TARGETS.nodeRgb}x a C producer converting with the same routine, ${n.width}x${n.height}`,
      verdict: Number.isFinite(v.rgb) ? (v.rgbOk ? 'met' : 'missed') : 'n/a',
      detail: Number.isFinite(v.rgb) ? `${fmtRatio(v.rgb)} (${fmtRatio(v.rgbVsCopy)} of the C producer that only copies)` : `no converting C producer in this run (${fmtRatio(v.rgbVsCopy)} of the copying one)`,
    });
  }
  return out;
}

export function targetTable(lines: TargetLine[]): string {
  return ['| target | verdict | detail |', '|---|---|---|', ...lines.map((l) => `| ${l.target} | ${l.verdict === 'met' ? '✓ met' : l.verdict === 'n/a' ? '–' : `✗ ${l.verdict}`} | ${l.detail} |`)].join('\n');
}

export function referenceTable(run: RunFile): string {
  const keys = Object.keys(run.memcpyUs).sort((a, b) => Number(a) - Number(b));
  return [
    '| frame bytes | memcpy µs (glibc) | rep movsb µs (6.1\'s kernel memcpy with ERMS) |',
    '|---:|---:|---:|',
    ...keys.map((k) => `| ${k} | ${fmt(run.memcpyUs[k] ?? Number.NaN)} | ${fmt(run.movsbUs[k] ?? Number.NaN)} |`),
  ].join('\n');
}

/** The whole markdown report. */
export function renderReport(opts: {
  date: string;
  command: string;
  host: string;
  runs: KernelRuns[];
  chart?: string;
  hostCopies?: Record<string, { memcpyUs: number; movsbUs: number }>;
}): string {
  const parts: string[] = [
    `# Loopback benchmark`,
    '',
    `- Date: ${opts.date}`,
    `- Command: \`${opts.command}\``,
    `- Host: ${opts.host}`,
    `- Guest: QEMU TCG, 2 vCPUs; absolute numbers are ~10x slower than hardware, compare ratios within one run.`,
    '',
  ];
  if (opts.chart) parts.push(`![fps and CPU per frame](${opts.chart})`, '');
  const hc = Object.entries(opts.hostCopies ?? {});
  if (hc.length) {
    parts.push(
      'The same copies on the host CPU (no TCG), for scale. The module copies frames with the kernel\'s `memcpy`: `rep movsb` on 6.1 (the CPU has ERMS), an unrolled 8-byte move loop on 6.12 (which uses `rep movsb` only with FSRM, absent in the guest). The hardware runs `rep movsb` as fast as glibc\'s memcpy; TCG emulates it several times slower.',
      '',
      '| frame bytes | host memcpy µs | host rep movsb µs |',
      '|---:|---:|---:|',
      ...hc.map(([b, c]) => `| ${b} | ${fmt(c.memcpyUs)} | ${fmt(c.movsbUs)} |`),
      '',
    );
  }
  for (const k of opts.runs) {
    const o = k.ours;
    parts.push(`## Kernel ${k.kernel}`, '');
    parts.push(`- Ours: \`${o.module.path || 'kmod/'}\` (srcversion ${o.module.srcversion || '?'}), ${o.scenarios.length} scenarios of ${o.secondsPerScenario} s`);
    if (k.theirs) parts.push(`- Theirs: \`${k.theirs.module.path}\` (srcversion ${k.theirs.module.srcversion || '?'})`);
    if (o.hostLoad) parts.push(`- Host load average (1, 5, 15 min, running/total): ${o.hostLoad}`);
    parts.push(`- Idle guest: ${o.idleBusy.map((b) => `${fmt(b * 100)}%`).join(', ')} of one CPU busy (before, after)`);
    if (o.errors.length) parts.push(`- Errors: ${o.errors.join('; ')}`);
    parts.push('', '### Targets', '', targetTable(targetSummary(o)), '');
    if (k.theirs) {
      const pairs = pairRuns(o.scenarios, k.theirs.scenarios);
      parts.push(
        '### Ours / theirs (geometric means over paired scenarios)',
        '',
        `min consumer fps ${fmtRatio(geomean(pairs.map((p) => p.ratios.minConsumerFps)))}, CPU per delivered frame ${fmtRatio(geomean(pairs.map((p) => p.ratios.cpuPerFrame)))}, ` +
          `latency p50 ${fmtRatio(geomean(pairs.map((p) => p.ratios.p50)))}, p99 ${fmtRatio(geomean(pairs.map((p) => p.ratios.p99)))} over ${pairs.length} scenarios.`,
        '',
      );
    }
    parts.push('### References (same guest run)', '', referenceTable(o), '');
    if (o.node.length) parts.push('### Node VirtualCamera vs C producer (CPU of the producer process per frame, unpaced, mmap)', '', nodeTable(o.node), '');
    parts.push('### Scenarios', '', scenarioTable(o.scenarios, k.theirs?.scenarios), '');
  }
  return parts.join('\n');
}
