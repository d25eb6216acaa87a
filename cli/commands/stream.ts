// stream.ts - `stream <dev>`: feeds a device with a test pattern, a still
// image or a video file (decoded by ffmpeg), paced at --fps, with a
// progress line on a terminal, until --duration passes, the video ends, or
// Ctrl-C. With --create it makes its own device and removes it at the end,
// also on Ctrl-C or SIGTERM.
import { InvalidArgumentError, type Command } from 'commander';
import { formatFps, parseFps } from '../../src/caps.js';
import { type Fraction, fractionToFps, PIXEL_FORMATS, type PixelFormat } from '../../src/formats.js';
import { intArg, type Rendered, verb } from '../command-kit.js';
import type { CliDeps } from '../deps.js';
import { UsageError } from '../exit-codes.js';
import { type FrameSource, imageSource, patternSource, videoSource } from '../frame-sources.js';
import { PATTERNS, type PatternName } from '../patterns.js';

export interface StreamOptions {
  pattern?: string;
  image?: string;
  video?: string;
  fps: Fraction;
  duration?: number;
  /** Create a device (true, or its label); removed at the end unless `keep`. */
  create?: boolean | string;
  keep?: boolean;
  size: string;
  format: string;
  io: string;
}

export interface StreamResult {
  device: string;
  /** With --create: whether the device was removed at the end. */
  removed?: boolean;
  source: string;
  width: number;
  height: number;
  format: string;
  frames: number;
  seconds: number;
  fps: number;
}

/** commander parser for --fps: 30, 29.97 or 30000/1001, at most 1000. */
export function fpsArg(v: string): Fraction {
  let f: Fraction;
  try {
    f = parseFps(v);
  } catch {
    throw new InvalidArgumentError(`--fps must be N, N/D or a decimal (30, 30000/1001, 29.97), got '${v}'`);
  }
  const n = fractionToFps(f);
  if (n < 0.01 || n > 1000) throw new InvalidArgumentError(`--fps must be between 0.01 and 1000, got '${v}'`);
  return f;
}

export function parseSize(text: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(text);
  if (!m) throw new UsageError(`invalid size '${text}': expected WxH, e.g. 1280x720`);
  const width = Number(m[1]);
  const height = Number(m[2]);
  if (width < 2 || height < 2 || width > 8192 || height > 8192) throw new UsageError(`size ${text} is out of range (2x2 to 8192x8192)`);
  return { width, height };
}

function checkStreamOptions(o: StreamOptions): { source: string; format: PixelFormat } {
  const given = [o.pattern, o.image, o.video].filter((v) => v !== undefined).length;
  if (given > 1) throw new UsageError('give only one of --pattern, --image and --video');
  if (o.pattern !== undefined && !PATTERNS.includes(o.pattern as PatternName)) {
    throw new UsageError(`unknown pattern '${o.pattern}': expected one of ${PATTERNS.join(', ')}`);
  }
  if (!PIXEL_FORMATS.includes(o.format as PixelFormat)) {
    throw new UsageError(`unknown format '${o.format}': expected one of ${PIXEL_FORMATS.join(', ')}`);
  }
  if (o.io !== 'mmap' && o.io !== 'write') throw new UsageError(`unknown io '${o.io}': expected mmap or write`);
  const source = o.image ? `image ${o.image}` : o.video ? `video ${o.video}` : `pattern ${o.pattern ?? 'ball'}`;
  return { source, format: o.format as PixelFormat };
}

export async function runStream(deps: CliDeps, device: string | undefined, o: StreamOptions, signal?: AbortSignal): Promise<StreamResult> {
  const { source: sourceName, format: nativeFormat } = checkStreamOptions(o);
  if (o.create !== undefined && device !== undefined) throw new UsageError('give either a <device> or --create, not both');
  if (o.create === undefined && device === undefined) throw new UsageError('missing <device> (or --create to make one)');
  if (o.keep && o.create === undefined) throw new UsageError('--keep goes with --create');
  const { width, height } = parseSize(o.size);
  const fps = o.fps ?? { numerator: 30, denominator: 1 };
  let source: FrameSource;
  if (o.image) source = await imageSource(o.image, width, height, nativeFormat);
  else if (o.video) source = videoSource(o.video, width, height, formatFps(fps));
  else source = patternSource((o.pattern ?? 'ball') as PatternName, width, height);
  const label = typeof o.create === 'string' ? { label: o.create } : {};
  let cam: Awaited<ReturnType<CliDeps['lib']['openCamera']>>;
  try {
    // A created device goes with the camera's close(): at the end, and on
    // Ctrl-C or SIGTERM (they abort `signal`, even during the open); with
    // --keep the device is made here and outlives the camera.
    const target = o.create === undefined ? { device: device! } : o.keep ? { device: String((await deps.lib.add(label)).nr) } : { create: label };
    cam = await deps.lib.openCamera({ ...target, width, height, fps, format: source.format, nativeFormat, io: o.io as 'mmap' | 'write', signal });
  } catch (err) {
    source.close();
    throw err;
  }
  if (o.create !== undefined) deps.io.stderr(`streaming to ${cam.device} (created${o.keep ? ', kept afterwards' : ', removed at the end'})\n`);
  const started = performance.now();
  const deadline = o.duration === undefined ? Infinity : started + o.duration * 1000;
  let lastProgress = started;
  let closed: { removed: boolean; error?: Error };
  try {
    for (let n = 0; !signal?.aborted && performance.now() < deadline; n++) {
      const frame = await source.next(n);
      if (!frame) break;
      await cam.send(frame);
      await cam.nextFrame({ signal }).catch((err: unknown) => {
        if (!signal?.aborted) throw err;
      });
      const now = performance.now();
      if (deps.io.stderrIsTTY && now - lastProgress >= 1000) {
        lastProgress = now;
        deps.io.stderr(`\rstreaming to ${cam.device}: ${cam.framesSent} frames, ${cam.currentFps.toFixed(1)} fps, ${((now - started) / 1000).toFixed(1)} s `);
      }
    }
  } finally {
    source.close();
    closed = await cam.close();
  }
  if (closed.error && o.create !== undefined && !o.keep) throw closed.error;
  const seconds = (performance.now() - started) / 1000;
  if (lastProgress !== started) deps.io.stderr('\n');
  return {
    device: cam.device,
    ...(o.create !== undefined ? { removed: closed.removed } : {}),
    source: sourceName,
    width,
    height,
    format: cam.nativeFormat,
    frames: cam.framesSent,
    seconds: Number(seconds.toFixed(3)),
    fps: Number((cam.framesSent / seconds).toFixed(2)),
  };
}

export function renderStream(r: StreamResult): Rendered {
  return { json: r, human: `sent ${r.frames} frames of ${r.source} (${r.width}x${r.height} ${r.format}) to ${r.device} in ${r.seconds} s: ${r.fps} fps` };
}

export function makeStreamCommand(deps: CliDeps): Command {
  const cmd = verb(deps, 'stream', 'feed a device with a test pattern, an image or a video', async (ctx, device?: string) => {
    const ac = new AbortController();
    // The first Ctrl-C (or SIGTERM) stops and cleans up; a second one quits at once.
    const stop = (): void => {
      if (ac.signal.aborted) process.exit(130);
      ac.abort();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    try {
      return renderStream(await runStream(deps, device, ctx.opts as unknown as StreamOptions, ac.signal));
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  });
  cmd
    .argument('[device]', 'device: /dev/videoN, N or label (or --create)')
    .option('--create [label]', 'create a device (with this label) and remove it at the end, also on Ctrl-C or SIGTERM')
    .option('--keep', 'with --create: leave the device in place at the end')
    .option('--pattern <name>', `test pattern: ${PATTERNS.join(', ')} (default: ball)`)
    .option('--image <file>', 'stream a PNG or JPEG')
    .option('--video <file>', 'stream a video file (decoded by ffmpeg)')
    .option('--fps <n>', 'frames per second: 30, 29.97 or 30000/1001 (default: 30)', fpsArg)
    .option('--duration <s>', 'stop after this many seconds (default: until Ctrl-C)', intArg('--duration', 1, 86400))
    .option('--size <WxH>', 'frame size', '640x480')
    .option('--format <fmt>', `device pixel format: ${PIXEL_FORMATS.join(', ')}`, 'yuyv')
    .option('--io <method>', 'mmap (zero copy) or write', 'mmap');
  return cmd;
}
