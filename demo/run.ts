// run.ts - the end-to-end demo, run inside the sandbox guest by `make demo`:
// creates a split device with the CLI, streams a moving test pattern from
// VirtualCamera at 30 fps, reads it back with our Capture, ffmpeg and
// headless Chromium at once, saves a snapshot and a clip, prints a summary,
// and cleans up. Usage: node dist/demo/run.js <output folder>
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Capture } from '../src/capture.js';
import { convertFrame } from '../src/convert.js';
import { VirtualCamera } from '../src/virtual-camera.js';
import { makePattern } from '../cli/patterns.js';
import { playCamera } from './chromium.js';
import { readStampYuyv, stampYuyv } from './stamp.js';
import { Steps } from './steps.js';

const run = promisify(execFile);
const outDir = process.argv[2] ?? 'demo-out';
const cli = join(import.meta.dirname, '..', 'cli', 'index.js');
const WIDTH = 640;
const HEIGHT = 480;
const FPS = 30;
const LABEL = 'Demo Camera';

async function ctl(...args: string[]): Promise<string> {
  return (await run(process.execPath, [cli, ...args], { timeout: 60_000 })).stdout;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

const steps = new Steps();
const sendTimes = new Map<number, number>();
let producing = true;
let camera: VirtualCamera | undefined;
let device: { path: string; capturePath: string } | undefined;

async function produce(cam: VirtualCamera): Promise<void> {
  const pattern = makePattern('ball', WIDTH, HEIGHT);
  const yuyv = Buffer.alloc(WIDTH * HEIGHT * 2);
  for (let n = 0; producing; n++) {
    convertFrame(pattern(n), 'rgb', 'yuyv', WIDTH, HEIGHT, yuyv);
    stampYuyv(yuyv, n);
    sendTimes.set(n, performance.now());
    await cam.send(yuyv);
    await cam.nextFrame();
  }
}

async function ourCapture(path: string, seconds: number): Promise<{ frames: number; fps: number; p50: number; p99: number }> {
  const cap = await Capture.open({ device: path });
  const latencies: number[] = [];
  const t0 = performance.now();
  try {
    while (performance.now() - t0 < seconds * 1000) {
      const f = await cap.read();
      const sent = sendTimes.get(readStampYuyv(f.data));
      if (sent !== undefined) latencies.push(performance.now() - sent);
    }
  } finally {
    await cap.close();
  }
  latencies.sort((a, b) => a - b);
  return { frames: latencies.length, fps: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function ffmpegClip(path: string, seconds: number): Promise<{ frames: number; fps: number; file: string }> {
  const file = join(outDir, 'clip.mp4');
  await run('ffmpeg', ['-nostdin', '-y', '-loglevel', 'error', '-f', 'v4l2', '-i', path, '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file], {
    timeout: 120_000,
  });
  const probe = await run('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file]);
  const frames = Number(probe.stdout.trim());
  return { frames, fps: frames / seconds, file };
}

async function main(): Promise<void> {
  const started = performance.now();
  device = await steps.run(
    'create a split device with v4l2loopback-ctl',
    async () => JSON.parse(await ctl('add', '--split', '-n', LABEL, '--json')) as { path: string; capturePath: string },
    (d) => `output ${d.path}, capture ${d.capturePath}, label '${LABEL}'`,
  );
  const cam = await steps.run(
    'start VirtualCamera (moving test pattern, 30 fps)',
    async () => VirtualCamera.open({ device: device!.path, width: WIDTH, height: HEIGHT, fps: FPS, format: 'yuyv', nativeFormat: 'yuyv' }),
    (c) => `${c.width}x${c.height} ${c.nativeFourcc} at ${c.fps} fps into ${c.device}`,
  );
  camera = cam;
  const producer = produce(cam);
  await new Promise((r) => setTimeout(r, 1000));

  const [ours, clip] = await steps.run(
    'read it back with our Capture and ffmpeg at the same time',
    async () => Promise.all([ourCapture(device!.capturePath, 5), ffmpegClip(device!.capturePath, 4)]),
    ([o, f]) => `Capture ${o.fps.toFixed(1)} fps (latency p50 ${o.p50.toFixed(1)} ms, p99 ${o.p99.toFixed(1)} ms); ffmpeg ${f.frames} frames in 4 s`,
  );
  if (ours.frames === 0) throw new Error('our Capture received no frames');
  if (clip.frames === 0) throw new Error('ffmpeg recorded no frames');

  const browser = await steps.run(
    'play it in headless Chromium (getUserMedia)',
    async () => playCamera({ label: LABEL, seconds: 5, points: [[0.03, 0.5], [0.97, 0.1], [0.97, 0.9]] }),
    (b) => `Chromium lists [${b.cameras.join(', ')}], plays ${b.width}x${b.height} at ${b.fps.toFixed(1)} fps`,
  );
  // Left: the light grey bar (or the white ball); right: the dark bar, which
  // the ball can cover at one of the two heights but not at both.
  const [left, ...right] = browser.samples;
  if (browser.frames === 0) throw new Error('Chromium presented no frames');
  if (!left || left.rgba[0] < 120 || !right.some((s) => s.rgba[0] < 80)) {
    throw new Error(`Chromium's pixels do not show the test pattern: ${JSON.stringify(browser.samples)}`);
  }

  const snapshot = await steps.run(
    'save a snapshot with v4l2loopback-ctl',
    async () => ctl('snapshot', device!.capturePath, join(outDir, 'snapshot.png')),
    (s) => s.trim(),
  );
  const status = await steps.run('device status', async () => ctl('status', device!.path), (s) => s.trim().split('\n')[1]?.trim() ?? '');

  producing = false;
  await producer;
  await steps.run('stop and delete the device', async () => {
    await cam.close();
    camera = undefined;
    await ctl('delete', device!.path);
    device = undefined;
  }, () => `sent ${cam.framesSent} frames at ${cam.currentFps.toFixed(1)} fps`);

  const seconds = (performance.now() - started) / 1000;
  const summary = [
    '== v4l2loopback demo summary',
    `device:     split loopback '${LABEL}' (output + capture-only node)`,
    `format:     ${WIDTH}x${HEIGHT} YUYV, ${FPS} fps requested`,
    `producer:   VirtualCamera, ${cam.framesSent} frames, ${cam.currentFps.toFixed(1)} fps`,
    `consumers:  our Capture ${ours.fps.toFixed(1)} fps, latency p50 ${ours.p50.toFixed(1)} ms / p99 ${ours.p99.toFixed(1)} ms`,
    `            ffmpeg ${clip.fps.toFixed(1)} fps -> ${clip.file}`,
    `            Chromium ${browser.fps.toFixed(1)} fps, ${browser.width}x${browser.height}, cameras listed: ${browser.cameras.join(', ')}`,
    `snapshot:   ${snapshot.trim()}`,
    `status:     ${status.trim().split('\n').join(' | ')}`,
    `total time: ${seconds.toFixed(1)} s (QEMU/TCG guest: absolute rates are far below real hardware)`,
  ];
  console.log(`\n${summary.join('\n')}`);
  await writeFile(join(outDir, 'summary.txt'), `${summary.join('\n')}\n`);
  await writeFile(join(outDir, 'summary.json'), JSON.stringify({ steps: steps.log, ours, clip, browser }, null, 2));
}

try {
  await main();
} catch (err) {
  producing = false;
  console.error(`\nDEMO FAILED: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  await writeFile(join(outDir, 'summary.json'), JSON.stringify({ steps: steps.log, error: String(err) }, null, 2)).catch(() => undefined);
  process.exitCode = 1;
} finally {
  await camera?.close().catch(() => undefined);
  if (device) await ctl('delete', device.path).catch(() => undefined);
}
