// feeders.ts - the classic module's two tested feeders run as a user runs
// them: GStreamer's v4l2sink (a solid-colour live videotestsrc) and Gem's
// recordV4L2 ([pix_record] in test/guest/gem/record-v4l2.pd, under Xvfb with
// Mesa's software GL). Shared by the guest test and the benchmark; no vitest.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { type RunResult, run, runOk } from './kernel.js';
import { background, type Background, sleep, sysfs } from './kmod.js';

const patchIn = (top: string): string => join(top, 'test', 'guest', 'gem', 'record-v4l2.pd');
/** the Pd patch (this file also runs compiled into out/bench/js/, from the project directory) */
export const gemPatch = [patchIn(join(import.meta.dirname, '..', '..', '..')), patchIn(process.cwd())].find((p) => existsSync(p)) ?? '';

/** ARGB of GStreamer's solid-colour pattern */
export const GST_COLOR = 0xffc04020;
export const GST_FPS = 30;

/** v4l2sink's own lateness rules (gst-inspect-1.0 v4l2sink: its defaults) */
export const SINK_QOS = ['sync=true', 'qos=true', 'max-lateness=5000000', 'processing-deadline=15000000'];

/** colorimetry pinned: else HD sizes default to BT.709 in one pipeline and not in another (other YUV bytes) */
export function gstSource(w: number, h: number, buffers: number): string[] {
  return ['videotestsrc', 'is-live=true', 'pattern=solid-color', `foreground-color=${GST_COLOR}`,
    `num-buffers=${buffers}`, '!', `video/x-raw,format=YUY2,width=${w},height=${h},framerate=${GST_FPS}/1,colorimetry=bt601`];
}

export interface FeedResult {
  /** frames the sink took: fakesink's rendered buffers, the device's sysfs `frames` */
  frames: number;
  /** "this computer is too slow" warnings (a sink dropping late buffers) */
  tooSlow: number;
  seconds: number;
  /** user + system CPU seconds of the feeding process */
  cpuS: number;
  code: number | null;
  output: string;
}

const tooSlow = (text: string): number => text.split('\n').filter((l) => /too slow/.test(l)).length;

/** Runs cmd under GNU time; returns the run and its CPU seconds. */
async function timed(cmd: string, args: string[], timeoutMs: number): Promise<{ r: RunResult; cpuS: number; seconds: number }> {
  const file = join(tmpdir(), `feeder-cpu-${process.pid}-${Date.now()}`);
  const t0 = performance.now();
  const r = await run('/usr/bin/time', ['-f', '%U %S', '-o', file, cmd, ...args], { timeoutMs });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) : [NaN, NaN];
  return { r, cpuS: cpu[0]! + cpu[1]!, seconds };
}

/** The pipeline into a fakesink with v4l2sink's lateness rules: what a sink that costs nothing renders. */
export async function fakesinkFeed(w: number, h: number, buffers: number): Promise<FeedResult> {
  const { r, cpuS, seconds } = await timed('gst-launch-1.0',
    ['-v', ...gstSource(w, h, buffers), '!', 'fakesink', 'silent=false', ...SINK_QOS], 120_000);
  const output = r.stdout + r.stderr;
  const frames = output.split('\n').filter((l) => /last-message = chain/.test(l)).length;
  return { frames, tooSlow: tooSlow(output), seconds, cpuS, code: r.code, output };
}

/** Feeds /dev/video<nr> with v4l2sink; `during` runs once the device has its first frame. */
export async function v4l2sinkFeed(
  nr: number,
  w: number,
  h: number,
  buffers: number,
  opts: { io?: string; source?: string[]; during?: () => Promise<unknown> } = {},
): Promise<FeedResult & { during?: unknown }> {
  const before = Number(sysfs(nr, 'frames'));
  const args = [...(opts.source ?? gstSource(w, h, buffers)), '!', 'v4l2sink', `device=/dev/video${nr}`];
  if (opts.io) args.push(`io-mode=${opts.io}`);
  const feeding = timed('gst-launch-1.0', args, 120_000);
  let during: unknown;
  if (opts.during) {
    const end = Date.now() + 60_000;
    while (Number(sysfs(nr, 'frames')) === before && Date.now() < end) await sleep(50);
    during = await opts.during();
  }
  const { r, cpuS, seconds } = await feeding;
  const output = r.stdout + r.stderr;
  return { frames: Number(sysfs(nr, 'frames')) - before, tooSlow: tooSlow(output), seconds, cpuS, code: r.code, output, during };
}

/** One frame of the pattern in YUYV, rendered offline: every frame the sink sends. */
export async function gstReference(w: number, h: number): Promise<Buffer> {
  const file = join(tmpdir(), `ref-solid-${w}x${h}.yuv`);
  await runOk('gst-launch-1.0', ['-q', ...gstSource(w, h, 1), '!', 'filesink', `location=${file}`], { timeoutMs: 60_000 });
  return readFileSync(file);
}

/** ffmpeg reads `frames` raw frames (as captured, no conversion) from /dev/video<nr>. */
export async function ffmpegGrab(nr: number, frames: number, pixFmt = 'yuyv422'): Promise<{ data: Buffer; r: RunResult }> {
  const file = join(tmpdir(), `grab-${nr}-${Date.now()}.raw`);
  const r = await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'v4l2', '-i', `/dev/video${nr}`,
    // the device's own timestamps (µs), so that frames closer than 1/fps are not dropped as same-dts
    '-frames:v', String(frames), '-fps_mode', 'passthrough', '-enc_time_base', '-1', '-pix_fmt', pixFmt, '-f', 'rawvideo', '-y', file],
  { timeoutMs: 60_000 });
  return { data: existsSync(file) ? readFileSync(file) : Buffer.alloc(0), r };
}

/** GStreamer's v4l2src reads `frames` frames from /dev/video<nr>. */
export async function v4l2srcGrab(nr: number, frames: number, w: number, h: number): Promise<{ data: Buffer; r: RunResult }> {
  const file = join(tmpdir(), `v4l2src-${nr}-${Date.now()}.raw`);
  const r = await run('gst-launch-1.0', ['-q', 'v4l2src', `device=/dev/video${nr}`, `num-buffers=${frames}`, '!',
    `video/x-raw,format=YUY2,width=${w},height=${h}`, '!', 'filesink', `location=${file}`], { timeoutMs: 60_000 });
  return { data: existsSync(file) ? readFileSync(file) : Buffer.alloc(0), r };
}

/** Indices of the frames of `data` that differ from `ref` (and a short last frame). */
export function framesUnlike(data: Buffer, ref: Buffer): number[] {
  const bad: number[] = [];
  for (let i = 0; i * ref.length < data.length; i++) {
    if (!data.subarray(i * ref.length, (i + 1) * ref.length).equals(ref)) bad.push(i);
  }
  return bad;
}

// ---- Gem --------------------------------------------------------------------

export const GEM_W = 320;
export const GEM_H = 240;
/** the clear colour of record-v4l2.pd (1, 0.5, 0) in 8-bit RGB */
export const GEM_RGB = [255, 128, 0] as const;

/** An X server for Gem's window: Xvfb on a free display, software GL. */
export async function startXvfb(display = ':47'): Promise<{ env: NodeJS.ProcessEnv; stop(): Promise<unknown> }> {
  const x = background('Xvfb', [display, '-screen', '0', '640x480x24', '-nolisten', 'tcp'], 600_000);
  const sock = `/tmp/.X11-unix/X${display.slice(1)}`;
  const end = Date.now() + 30_000;
  while (!existsSync(sock) && Date.now() < end && x.child.exitCode === null) await sleep(100);
  if (!existsSync(sock)) {
    const r = await x.stop();
    throw new Error(`Xvfb ${display} did not start: ${r.stderr}`);
  }
  return { env: { DISPLAY: display, LIBGL_ALWAYS_SOFTWARE: '1' }, stop: () => x.stop() };
}

export interface GemRun extends Background {
  /** frames Gem rendered ("rendered: N" lines so far) */
  rendered(): number;
  /** frames [pix_record] wrote ("recorded: N" lines so far) */
  recorded(): number;
  output(): string;
}

/** Pure Data runs record-v4l2.pd recording into `dev` (no GUI, no audio). */
export function gemRecord(dev: string, env: NodeJS.ProcessEnv): GemRun {
  const pd = background('pd', ['-nogui', '-nosound', '-nomidi', '-nrt', '-stderr', '-open', gemPatch,
    '-send', `v4l2l-dev symbol ${dev}`], 600_000, env);
  let text = '';
  pd.child.stderr?.on('data', (b: Buffer) => (text += b.toString()));
  pd.child.stdout?.on('data', (b: Buffer) => (text += b.toString()));
  const last = (what: string): number => {
    const m = [...text.matchAll(new RegExp(`^${what}: (\\d+)`, 'gm'))].pop();
    return m ? Number(m[1]) : 0;
  };
  return { ...pd, rendered: () => last('rendered'), recorded: () => last('recorded'), output: () => text };
}
