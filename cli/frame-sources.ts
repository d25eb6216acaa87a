// frame-sources.ts - where `stream` gets its frames: a test pattern, a still
// image (decoded once), or a video file decoded by an ffmpeg child process.
import { spawn } from 'node:child_process';
import { FORMAT_FOURCC, frameSize, packedStride, type PixelFormat } from '../src/formats.js';
import { decodeImage, imageToFrame } from '../src/image.js';
import { makePattern, type PatternName } from './patterns.js';

export interface FrameSource {
  /** The format of the frames next() returns. */
  format: PixelFormat;
  /** Frame n, or undefined when the source is exhausted. */
  next(n: number): Promise<Buffer | undefined>;
  close(): void;
}

export function patternSource(name: PatternName, width: number, height: number): FrameSource {
  const frame = makePattern(name, width, height);
  return { format: 'rgb', next: async (n) => frame(n), close: () => undefined };
}

/** A still image, scaled and converted once to the device's format. */
export async function imageSource(path: string, width: number, height: number, format: PixelFormat): Promise<FrameSource> {
  const img = await decodeImage(path);
  const frame = imageToFrame(img, {
    width,
    height,
    fourcc: FORMAT_FOURCC[format],
    bytesperline: packedStride(format, width),
    sizeimage: frameSize(format, width, height),
  });
  return { format, next: async () => frame, close: () => undefined };
}

/** Frames of a video file, decoded and scaled by ffmpeg to packed RGB24. */
/** `fps` as ffmpeg takes it: 30, 29.97 or 30000/1001. */
export function videoSource(path: string, width: number, height: number, fps: number | string): FrameSource {
  const size = width * height * 3;
  const child = spawn(
    'ffmpeg',
    ['-nostdin', '-loglevel', 'error', '-i', path, '-vf', `scale=${width}:${height},fps=${fps}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  let spawnError: Error | undefined;
  child.on('error', (e) => (spawnError = e));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const chunks: Buffer[] = [];
  let buffered = 0;
  let ended = false;
  let wake: (() => void) | undefined;
  child.stdout.on('data', (b: Buffer) => {
    chunks.push(b);
    buffered += b.length;
    if (buffered > size * 4) child.stdout.pause();
    wake?.();
  });
  child.stdout.on('end', () => {
    ended = true;
    wake?.();
  });
  return {
    format: 'rgb',
    async next() {
      while (buffered < size && !ended && !spawnError) {
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
      if (spawnError) throw new Error(`cannot run ffmpeg for --video: ${spawnError.message} (apt-get install ffmpeg)`);
      if (buffered < size) {
        const code = await exited;
        if (code !== 0) throw new Error(`ffmpeg could not decode ${path}: ${stderr.trim().split('\n').pop() ?? `exit ${code}`}`);
        return undefined;
      }
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const frame = all.subarray(0, size);
      const rest = all.subarray(size);
      chunks.length = 0;
      if (rest.length) chunks.push(rest);
      buffered = rest.length;
      if (buffered <= size * 4) child.stdout.resume();
      return frame;
    },
    close: () => {
      child.kill('SIGKILL');
    },
  };
}
