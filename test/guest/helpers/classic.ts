// classic.ts - the distributions' own clients unpacked by
// scripts/clients/fetch.sh (out/clients/, made by `make deps`): the C
// v4l2loopback-ctl of Debian 13 and sid, Debian 12's shell script, and the
// newest v4l2-compliance; plus frame grabbing with ffmpeg for pixel checks.
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunOptions, type RunResult, run } from './kernel.js';
import { kernelSetRun } from './run-scope.js';

const clients = join(import.meta.dirname, '..', '..', '..', 'out', 'clients');

/** The wrapper of a client program in the cache; throws when it is missing. */
export function clientBin(pkg: string, prog: string): string {
  const bin = join(clients, pkg, 'bin', prog);
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run 'make deps' (scripts/clients/fetch.sh) on the host`);
  return bin;
}

/** The C v4l2loopback-ctl releases under test (Debian 13's alone in a kernel-facing run). */
export const classicCtls: readonly string[] = kernelSetRun ? ['0.15.0'] : ['0.15.0', '0.15.4'];

export function classicCtl(version: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return run(clientBin(`ctl-${version}`, 'v4l2loopback-ctl'), args, { timeoutMs: 120_000, ...opts });
}

/** Grabs `frames` frames with ffmpeg from /dev/videoN (every frame kept, as the driver gave it). */
export async function grabFrames(dev: string, frames: number, frameSize: number, timeoutMs = 60_000): Promise<Buffer[]> {
  const file = join(tmpdir(), `grab-${process.pid}-${Date.now()}.raw`);
  const r = await run(
    'ffmpeg',
    ['-nostdin', '-loglevel', 'error', '-f', 'v4l2', '-i', dev, '-frames:v', String(frames), '-fps_mode', 'passthrough', '-f', 'rawvideo', '-y', file],
    { timeoutMs },
  );
  if (r.code !== 0) throw new Error(`ffmpeg grabbing ${dev} exited with ${r.code ?? r.signal}\n${r.stderr}`);
  const data = await readFile(file);
  await rm(file, { force: true });
  const out: Buffer[] = [];
  for (let off = 0; off + frameSize <= data.length; off += frameSize) out.push(data.subarray(off, off + frameSize));
  return out;
}

/** Mean of every `stride`-th byte from `offset` (one channel of a packed format). */
export function channelMean(frame: Buffer, offset: number, stride: number): number {
  let sum = 0;
  let n = 0;
  for (let i = offset; i < frame.length; i += stride) {
    sum += frame[i] ?? 0;
    n++;
  }
  return sum / n;
}

/** Is a UYVY frame red all over (BT.601 limited range: Y 81, U 90, V 240)? */
export function uyvyRed(frame: Buffer): boolean {
  const [u, y, v] = [channelMean(frame, 0, 4), channelMean(frame, 1, 2), channelMean(frame, 2, 4)];
  return Math.abs(y - 81) < 10 && Math.abs(u - 90) < 10 && Math.abs(v - 240) < 10;
}

/** Is a BGR4 (B, G, R, X) frame red all over? */
export function bgr4Red(frame: Buffer): boolean {
  return channelMean(frame, 0, 4) < 10 && channelMean(frame, 1, 4) < 10 && channelMean(frame, 2, 4) > 245;
}
