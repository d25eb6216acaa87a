// bench/feeders.ts - the guest side of the feeder rate check of `make bench`:
// each real feeder sends a 30 fps source into the loaded module for a few
// seconds, and this measures the frames the device received (sysfs
// `frames`) against what the source made, fps delivered, and the feeder's
// CPU time per frame. Feeders: ffmpeg's v4l2 output (write()), GStreamer's
// v4l2sink (mmap; against the same pipeline into a fakesink with
// v4l2sink's lateness rules), Gem's recordV4L2 (Pd under Xvfb, software GL)
// and the library's VirtualCamera (send(), paced by this process). Writes
// <results>/feeders.json and feeders.md.
// usage (inside sandbox/run): node out/bench/js/bench/feeders.js [--quick]
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { loadModule, run } from '../test/guest/helpers/kernel.js';
import { sleep, sysfs, waitForProducer } from '../test/guest/helpers/kmod.js';
import { fakesinkFeed, gemRecord, GEM_H, GEM_W, startXvfb, v4l2sinkFeed } from '../test/guest/helpers/feeders.js';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, out: { type: 'string' } } });
const seconds = args.quick ? 5 : 10;
const FPS = 30;
const resultsDir = args.out ?? process.env.SANDBOX_RESULTS;
if (!resultsDir) throw new Error('no results folder: pass --out DIR or run under sandbox/run --results DIR');
const top = resolve(import.meta.dirname, '../../../..');

interface FeederRow {
  feeder: string;
  size: string;
  /** frames the source made (its own rate times the run) */
  source: number;
  /** frames a fakesink with v4l2sink's lateness rules rendered (GStreamer only) */
  fakesink?: number;
  delivered: number;
  seconds: number;
  fps: number;
  /** delivered / reference (fakesink for GStreamer, else source) */
  ratio: number;
  cpuMsPerFrame: number;
  note?: string;
}

const rows: FeederRow[] = [];
const kernel = (await run('uname', ['-r'])).stdout.trim();
const save = (): void => {
  writeFileSync(join(resultsDir, 'feeders.json'), `${JSON.stringify({ kernel, date: new Date().toISOString(), seconds, rows }, null, 1)}\n`);
  const md = ['| feeder | size | source frames | fakesink | delivered | fps | delivered/reference | CPU ms/frame |', '|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    md.push(`| ${r.feeder} | ${r.size} | ${r.source} | ${r.fakesink ?? '-'} | ${r.delivered} | ${r.fps.toFixed(1)} | ${(100 * r.ratio).toFixed(0)} % | ${r.cpuMsPerFrame.toFixed(1)} |`);
  }
  writeFileSync(join(resultsDir, 'feeders.md'), `${md.join('\n')}\n`);
};
const frames = (): number => Number(sysfs(0, 'frames'));

async function ffmpegWrite(w: number, h: number): Promise<void> {
  await loadModule({ exclusive_caps: 1 });
  const before = frames();
  const t0 = performance.now();
  const r = await run('/usr/bin/time', ['-f', '%U %S', '-o', '/tmp/ffw.cpu', 'ffmpeg', '-hide_banner', '-loglevel', 'error', '-nostdin',
    '-re', '-f', 'lavfi', '-i', `color=c=0x2040c0:size=${w}x${h}:rate=${FPS}`, '-frames:v', String(seconds * FPS),
    '-pix_fmt', 'yuyv422', '-f', 'v4l2', '/dev/video0'], { timeoutMs: (seconds + 60) * 1000 });
  const s = (performance.now() - t0) / 1000;
  const cpu = (await run('cat', ['/tmp/ffw.cpu'])).stdout.trim().split(' ').map(Number);
  const delivered = frames() - before;
  rows.push({ feeder: 'ffmpeg -f v4l2 (write)', size: `${w}x${h}`, source: seconds * FPS, delivered, seconds: s,
    fps: delivered / s, ratio: delivered / (seconds * FPS), cpuMsPerFrame: (1000 * (cpu[0]! + cpu[1]!)) / Math.max(delivered, 1),
    note: r.code === 0 ? undefined : r.stderr.slice(-300) });
}

async function gstSink(w: number, h: number): Promise<void> {
  const n = seconds * FPS;
  const base = await fakesinkFeed(w, h, n);
  await loadModule({ exclusive_caps: 1 });
  const got = await v4l2sinkFeed(0, w, h, n);
  rows.push({ feeder: 'GStreamer v4l2sink (mmap)', size: `${w}x${h}`, source: n, fakesink: base.frames, delivered: got.frames,
    seconds: got.seconds, fps: got.frames / got.seconds, ratio: got.frames / Math.max(base.frames, 1),
    cpuMsPerFrame: (1000 * got.cpuS) / Math.max(got.frames, 1),
    note: `too slow: ${got.tooSlow} (fakesink ${base.tooSlow}); wall time includes start-up` });
}

async function gem(): Promise<void> {
  await loadModule({ exclusive_caps: 1 });
  const x = await startXvfb();
  const pd = gemRecord('/dev/video0', x.env);
  try {
    await waitForProducer(0, 90_000);
    const pid = pd.child.pid!;
    const cpu = async (): Promise<number> => {
      const f = (await run('cat', [`/proc/${pid}/stat`])).stdout.split(') ')[1]!.split(' ');
      return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks (USER_HZ 100)
    };
    const r0 = pd.rendered();
    const f0 = frames();
    const c0 = await cpu();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const s = (performance.now() - t0) / 1000;
    const rendered = pd.rendered() - r0;
    const delivered = frames() - f0;
    rows.push({ feeder: "Gem [pix_record] recordV4L2 (write)", size: `${GEM_W}x${GEM_H}`, source: Math.round(FPS * s),
      delivered, seconds: s, fps: delivered / s, ratio: delivered / Math.max(rendered, 1),
      cpuMsPerFrame: (1000 * ((await cpu()) - c0)) / Math.max(delivered, 1),
      note: `Gem rendered ${rendered} (${(rendered / s).toFixed(1)} fps); reference = rendered; CPU includes software GL` });
  } finally {
    await pd.stop();
    await x.stop();
  }
}

interface Camera {
  send(frame: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

async function virtualCamera(w: number, h: number): Promise<void> {
  const lib = (await import(pathToFileURL(join(top, 'dist/src/index.js')).href)) as {
    VirtualCamera: { open(o: object): Promise<Camera> };
  };
  await loadModule({ exclusive_caps: 1 });
  const cam = await lib.VirtualCamera.open({ device: '/dev/video0', width: w, height: h, fps: FPS, format: 'yuyv', nativeFormat: 'yuyv', io: 'mmap', buffers: 4 });
  const frame = Buffer.alloc(w * h * 2, 0x80);
  const n = seconds * FPS;
  const before = frames();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const due = t0 + (i * 1000) / FPS;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    await cam.send(frame);
  }
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  await cam.close();
  const delivered = frames() - before;
  rows.push({ feeder: 'VirtualCamera send() (mmap)', size: `${w}x${h}`, source: n, delivered, seconds: s, fps: delivered / s,
    ratio: delivered / n, cpuMsPerFrame: (cpu.user + cpu.system) / 1000 / Math.max(delivered, 1) });
}

const steps: [string, () => Promise<void>][] = [
  ['ffmpeg 640x480', () => ffmpegWrite(640, 480)],
  ['ffmpeg 1280x720', () => ffmpegWrite(1280, 720)],
  ['gst 640x480', () => gstSink(640, 480)],
  ['gst 1280x720', () => gstSink(1280, 720)],
  ['gem', gem],
  ['VirtualCamera 640x480', () => virtualCamera(640, 480)],
  ['VirtualCamera 1280x720', () => virtualCamera(1280, 720)],
];
if (!existsSync(join(top, 'dist/src/index.js'))) throw new Error('dist/ is missing: npm run build on the host');
for (const [name, step] of steps) {
  try {
    await step();
  } catch (e) {
    rows.push({ feeder: name, size: '', source: 0, delivered: 0, seconds: 0, fps: 0, ratio: 0, cpuMsPerFrame: 0, note: `failed: ${String(e).slice(0, 300)}` });
  }
  save();
  console.log(JSON.stringify(rows[rows.length - 1]));
}
await loadModule();
