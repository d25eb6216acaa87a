#!/usr/bin/env node
// bench/conversions.mjs - times the producer-side pixel conversions (RGB ->
// I420, YUYV, NV12 at 1920x1080) of our addon, and the consumer-side ones
// back to RGB, against ffmpeg's swscale doing the same conversion in the same
// run, and prints a markdown table with the ratios, date, machine and versions. Runs on the host: `npm run bench:convert`
// (options: --frames N, --runs N, --addon PATH to time another build of
// the addon, --baseline PATH to time a second build in the same run, e.g. a
// previous version). Plain ESM so it needs no build step.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { values: args } = parseArgs({
  options: {
    frames: { type: 'string', default: '300' },
    runs: { type: 'string', default: '3' },
    addon: { type: 'string' },
    baseline: { type: 'string' },
  },
});
/** @type {import('../src/native.js').NativeBinding} */
const addon = args.addon ? require(args.addon) : require('node-gyp-build')(root);
/** @type {import('../src/native.js').NativeBinding | undefined} */
const baseline = args.baseline ? require(args.baseline) : undefined;
const FRAMES = Number(args.frames);
const RUNS = Number(args.runs);
if (!Number.isInteger(FRAMES) || FRAMES < 10 || !Number.isInteger(RUNS) || RUNS < 1) {
  throw new RangeError('Expected --frames >= 10 and --runs >= 1');
}

const W = 1920;
const H = 1080;
const fourcc = (s) => Buffer.from(s, 'latin1').readUInt32LE(0);

const RGB = { code: 'RGB3', pixFmt: 'rgb24', bytes: W * H * 3 };
const I420 = { code: 'YU12', pixFmt: 'yuv420p', bytes: (W * H * 3) / 2 };
const YUYV = { code: 'YUYV', pixFmt: 'yuyv422', bytes: W * H * 2 };
const NV12 = { code: 'NV12', pixFmt: 'nv12', bytes: (W * H * 3) / 2 };

/** [label, from, to]: the producer's three first (the goal), then Capture's way back. */
const CASES = [
  ['RGB → I420 (VirtualCamera)', RGB, I420],
  ['RGB → YUYV (VirtualCamera)', RGB, YUYV],
  ['RGB → NV12 (VirtualCamera)', RGB, NV12],
  ['I420 → RGB (Capture)', I420, RGB],
  ['YUYV → RGB (Capture)', YUYV, RGB],
];

/** A camera-like frame: smooth gradients plus noise, so nothing is constant. */
function makeFrame() {
  const f = Buffer.alloc(W * H * 3);
  let seed = 12345;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const n = (seed >>> 24) & 15;
      const i = (y * W + x) * 3;
      f[i] = ((x * 255) / W + n) & 0xff;
      f[i + 1] = ((y * 255) / H + n) & 0xff;
      f[i + 2] = (((x + y) * 255) / (W + H) + n) & 0xff;
    }
  }
  return f;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Converts with our addon (tightly packed buffers). */
function convert(src, from, to) {
  const dst = Buffer.alloc(to.bytes);
  addon.convert(src, fourcc(from.code), 0, dst, fourcc(to.code), 0, W, H);
  return dst;
}

/** Our addon: per-frame wall and CPU time (ms) of convert() into a reused buffer, as VirtualCamera.send() does. */
function timeOurs(src, from, to, binding = addon) {
  const dst = Buffer.alloc(to.bytes);
  const run = () => binding.convert(src, fourcc(from.code), 0, dst, fourcc(to.code), 0, W, H);
  for (let i = 0; i < 20; i++) run();
  const wall = [];
  const cpu = [];
  for (let r = 0; r < RUNS; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < FRAMES; i++) run();
    const t = Number(process.hrtime.bigint() - t0) / 1e6;
    const c = process.cpuUsage(c0);
    wall.push(t / FRAMES);
    cpu.push((c.user + c.system) / 1000 / FRAMES);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

/** One ffmpeg run over FRAMES frames: { cpu, wall } in seconds, from -benchmark. */
function ffmpegRun(file, inFmt, pixFmt) {
  const r = spawnSync(
    'ffmpeg',
    [
      '-nostdin', '-hide_banner', '-nostats', '-loglevel', 'info', '-benchmark',
      '-threads', '1', '-filter_threads', '1',
      '-stream_loop', String(FRAMES - 1),
      '-f', 'rawvideo', '-pix_fmt', inFmt, '-s', `${W}x${H}`, '-i', file,
      '-f', 'rawvideo', '-pix_fmt', pixFmt, '-y', '/dev/null',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 },
  );
  if (r.status !== 0) throw new Error(`ffmpeg failed (${r.status ?? r.signal}):\n${r.stderr}`);
  // -benchmark logs "bench: utime=1.234s stime=0.100s rtime=1.400s" at info level
  const out = `${r.stdout}${r.stderr}`;
  const m = /utime=([\d.]+)s stime=([\d.]+)s rtime=([\d.]+)s/.exec(out);
  if (!m) throw new Error(`Could not read ffmpeg's -benchmark line from:\n${out}`);
  return { cpu: Number(m[1]) + Number(m[2]), wall: Number(m[3]) };
}

/**
 * swscale: the same pipeline with and without the conversion (writing the
 * input format is a pass-through), so reading, demuxing and writing cancel
 * out; per frame, ms.
 */
function timeSwscale(file, inFmt, pixFmt) {
  const cpu = [];
  const wall = [];
  for (let r = 0; r < RUNS; r++) {
    const base = ffmpegRun(file, inFmt, inFmt);
    const conv = ffmpegRun(file, inFmt, pixFmt);
    cpu.push(((conv.cpu - base.cpu) * 1000) / FRAMES);
    wall.push(((conv.wall - base.wall) * 1000) / FRAMES);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

function versionOf(cmd, args, re) {
  try {
    const m = re.exec(execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    return m ? m[1] : 'unknown';
  } catch {
    return 'not found';
  }
}

const fmt = (ms) => ms.toFixed(2);

function main() {
  const dir = mkdtempSync(join(tmpdir(), 'v4l2l-bench-'));
  try {
    const frame = makeFrame();
    const inputs = new Map();
    for (const f of [RGB, I420, YUYV]) {
      const data = f === RGB ? frame : convert(frame, RGB, f);
      const file = join(dir, `frame.${f.pixFmt}`);
      writeFileSync(file, data);
      inputs.set(f, { data, file });
    }
    const ffmpeg = versionOf('ffmpeg', ['-version'], /ffmpeg version (\S+)/);
    const rows = [];
    for (const [label, from, to] of CASES) {
      const input = inputs.get(from);
      const ours = timeOurs(input.data, from, to);
      const base = baseline ? timeOurs(input.data, from, to, baseline) : undefined;
      const sws = ffmpeg === 'not found' ? undefined : timeSwscale(input.file, from.pixFmt, to.pixFmt);
      rows.push({ label, ours, base, sws });
    }
    const cpu = cpus();
    const lines = [
      `Conversions at ${W}x${H}, ${FRAMES} frames x ${RUNS} runs (median), one thread each.`,
      '',
      `- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      `- Machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} CPUs visible, Linux ${release()}`,
      `- Node ${process.version}; ffmpeg ${ffmpeg} (swscale, default flags, -threads 1 -filter_threads 1)`,
      `- Addon: ${args.addon ?? 'node-gyp-build'}${baseline ? `; baseline: ${args.baseline}` : ''}`,
      '',
      `| Conversion | ours CPU ms/frame | ours wall ms/frame |${baseline ? ' baseline CPU ms/frame | baseline / swscale (CPU) |' : ''} swscale CPU ms/frame | swscale wall ms/frame | ours / swscale (CPU) | ours at 60 fps |`,
      `|---|---:|---:|${baseline ? '---:|---:|' : ''}---:|---:|---:|---:|`,
    ];
    const ratioOf = (a, sws) => (sws && sws.cpu > 0 ? `${(a.cpu / sws.cpu).toFixed(2)}x` : 'n/a');
    for (const { label, ours, base, sws } of rows) {
      const baseCols = base ? ` ${fmt(base.cpu)} | ${ratioOf(base, sws)} |` : '';
      lines.push(
        `| ${label} | ${fmt(ours.cpu)} | ${fmt(ours.wall)} |${baseCols} ${sws ? fmt(sws.cpu) : 'n/a'} | ${sws ? fmt(sws.wall) : 'n/a'} | ${ratioOf(ours, sws)} | ${((ours.cpu * 60) / 10).toFixed(1)}% of a core |`,
      );
    }
    lines.push(
      '',
      'swscale times are net: the same ffmpeg pipeline writing its input format (no conversion) is subtracted,',
      'so file reading and demuxing cancel out. A ratio below 1 means we are faster.',
    );
    console.log(lines.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
