// bench/report.ts - host side of `make bench`: merges the guest runs' bench.json
// files (ours, and theirs with --module, per kernel) into
// bench/results/bench.{json,md,png}: targets, ratios, the scenario table
// and the chart (fps and CPU per frame against frame size and consumers).
// usage: node out/bench/js/bench/report.js --out DIR --command CMD run.json...
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Panel, renderChart, type Rgb, type Series } from './lib/chart.js';
import { judgeScenario, nodeVerdicts, pairRuns, type ScenarioResult, SIZES, sizeLabel, useRunReferences } from './lib/stats.js';
import { type KernelRuns, renderReport, type RunFile, targetSummary } from './lib/table.js';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string', default: 'bench/results' }, command: { type: 'string', default: 'make bench' } },
});

const runs: RunFile[] = [];
for (const f of positionals) {
  if (!existsSync(f)) {
    process.stderr.write(`report: ${f} is missing (the guest run failed early); skipped\n`);
    continue;
  }
  const run = JSON.parse(readFileSync(f, 'utf8')) as RunFile;
  const load = join(dirname(f), 'host-load.txt');
  if (existsSync(load)) run.hostLoad = readFileSync(load, 'utf8').trim().split('\n').join(', ');
  runs.push(run);
}
if (runs.length === 0) {
  process.stderr.write('report: no results\n');
  process.exit(1);
}

const byKernel: KernelRuns[] = [];
// A run labelled 'node' (guest.js --no-matrix) holds the Node vs C producer comparison.
for (const n of runs.filter((x) => x.label === 'node')) {
  const o = runs.find((x) => x.label === 'ours' && x.kernel === n.kernel);
  if (o) o.node = n.node;
  else runs.push({ ...n, label: 'ours' });
}
for (const r of runs) r.scenarios = useRunReferences(r.scenarios, r.memcpyUs, r.movsbUs, r.kernel);
for (const r of runs.filter((x) => x.label === 'ours')) {
  const theirs = runs.find((x) => x.label === 'theirs' && x.kernel === r.kernel);
  byKernel.push({ kernel: r.kernel, ours: r, ...(theirs ? { theirs } : {}) });
}

const COLORS: Record<number, Rgb> = { 1: [31, 119, 180], 2: [44, 160, 44], 4: [255, 127, 14], 8: [214, 39, 40] };
const xLabels = SIZES.map(([w, h]) => sizeLabel(w, h));

function pick(list: ScenarioResult[], io: string, consumers: number, fps: number, f: (r: ScenarioResult) => number): number[] {
  return SIZES.map(([w, h]) => {
    const r = list.find((s) => s.fourcc === 'YUYV' && s.width === w && s.height === h && s.io === io && s.consumers === consumers && s.fps === fps);
    return r ? f(r) : Number.NaN;
  });
}

const panels: Panel[] = [];
for (const k of byKernel) {
  const short = k.kernel.replace(/-amd64$/, '');
  const fpsSeries: Series[] = [];
  const cpuSeries: Series[] = [];
  for (const c of [1, 2, 4, 8]) {
    const color = COLORS[c] ?? [0, 0, 0];
    fpsSeries.push({ name: `${c} cons.`, color, values: pick(k.ours.scenarios, 'mmap', c, 0, (r) => r.minConsumerFps) });
    cpuSeries.push({ name: `${c} cons.`, color, values: pick(k.ours.scenarios, 'mmap', c, 30, (r) => r.cpu.usPerDeliveredFrame) });
    if (k.theirs) {
      fpsSeries.push({ name: `${c} theirs`, color, dashed: true, values: pick(k.theirs.scenarios, 'mmap', c, 0, (r) => r.minConsumerFps) });
      cpuSeries.push({ name: `${c} theirs`, color, dashed: true, values: pick(k.theirs.scenarios, 'mmap', c, 30, (r) => r.cpu.usPerDeliveredFrame) });
    }
  }
  const bytes = SIZES.map(([w, h]) => String(w * h * 2));
  cpuSeries.push({ name: 'memcpy', color: [0, 0, 0], values: bytes.map((b) => k.ours.memcpyUs[b] ?? Number.NaN) });
  cpuSeries.push({ name: 'rep movsb', color: [140, 140, 140], dashed: true, values: bytes.map((b) => k.ours.movsbUs[b] ?? Number.NaN) });
  panels.push({ title: `${short}: fps per consumer (min), unpaced`, xLabels, yLabel: 'fps (YUYV, mmap)', log: true, series: fpsSeries });
  panels.push({ title: `${short}: CPU per delivered frame, 30 fps`, xLabels, yLabel: 'µs (YUYV, mmap)', log: true, series: cpuSeries });
}

// The same two copies on the host CPU: without TCG, rep movsb costs what memcpy does.
const hostCopies: Record<string, { memcpyUs: number; movsbUs: number }> = {};
const driver = join(import.meta.dirname, '../../v4l2l-bench');
for (const bytes of Object.keys(byKernel[0]?.ours.memcpyUs ?? {})) {
  const us = (kind: string): number => {
    const r = spawnSync(driver, [kind, bytes, '0.3'], { encoding: 'utf8' });
    try {
      return (JSON.parse(r.stdout) as { nsPerCopy: number }).nsPerCopy / 1000;
    } catch {
      return Number.NaN;
    }
  };
  hostCopies[bytes] = { memcpyUs: us('memcpy'), movsbUs: us('movsb') };
}

const date = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const host = `${cpus()[0]?.model.trim() ?? '?'}, ${cpus().length} CPUs, Linux ${release()}, Node ${process.version}`;
writeFileSync(join(args.out, 'bench.png'), renderChart(`make bench ${date} (solid: ours${byKernel.some((k) => k.theirs) ? ', dashed: theirs' : ''})`, panels));
writeFileSync(join(args.out, 'bench.md'), `${renderReport({ date, command: args.command, host, runs: byKernel, chart: 'bench.png', hostCopies })}\n`);
const json = {
  date,
  command: args.command,
  host,
  hostCopies,
  kernels: byKernel.map((k) => ({
    kernel: k.kernel,
    targets: targetSummary(k.ours),
    verdicts: k.ours.scenarios.map((s) => ({ id: s.id, ...judgeScenario(s) })),
    node: k.ours.node.map((n) => ({ width: n.width, height: n.height, ...nodeVerdicts(n) })),
    ratios: k.theirs ? pairRuns(k.ours.scenarios, k.theirs.scenarios).map((p) => ({ id: p.ours.id, ...p.ratios })) : [],
    ours: k.ours,
    theirs: k.theirs ?? null,
  })),
};
writeFileSync(join(args.out, 'bench.json'), `${JSON.stringify(json, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1)}\n`);
process.stdout.write(`report: ${join(args.out, 'bench.md')}, bench.json, bench.png\n`);
