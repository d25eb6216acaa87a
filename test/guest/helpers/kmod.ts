// kmod.ts - helpers for the kernel module's guest tests: the C test programs
// (built on the host by `make -C test/guest/progs`, or here into /tmp when
// missing), sysfs access, background producers, v4l2-compliance parsing.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOk, run, type RunResult } from './kernel.js';

const top = join(import.meta.dirname, '..', '..', '..');
const progSrc = join(top, 'test', 'guest', 'progs');
const progNames = ['v4l2l-producer', 'v4l2l-consumer', 'v4l2l-pollout', 'v4l2l-ioctl-abuse', 'v4l2l-share', 'v4l2l-multistream', 'v4l2l-ctlio', 'v4l2l-churn', 'v4l2l-fault', 'v4l2l-limits', 'v4l2l-fuzz', 'v4l2l-infoleak', 'v4l2l-probe'] as const;
export type ProgName = (typeof progNames)[number];

let progDir = '';

/** Directory holding up-to-date test programs (host build, else built here). */
export async function progs(): Promise<string> {
  if (progDir) return progDir;
  const hostBuilt = join(top, 'out', 'progs');
  const fresh = progNames.every((p) => {
    const bin = join(hostBuilt, p);
    return existsSync(bin) && statSync(bin).mtimeMs >= statSync(join(progSrc, `${p}.c`)).mtimeMs;
  });
  if (fresh) {
    progDir = hostBuilt;
    return progDir;
  }
  const dir = join(tmpdir(), 'v4l2l-progs');
  mkdirSync(dir, { recursive: true });
  for (const p of progNames) {
    await runOk('gcc', ['-O2', '-Wall', '-o', join(dir, p), join(progSrc, `${p}.c`)], { timeoutMs: 120_000 });
  }
  progDir = dir;
  return progDir;
}

export async function prog(name: ProgName): Promise<string> {
  return join(await progs(), name);
}

export function sysfs(nr: number, attr: string): string {
  return readFileSync(`/sys/devices/virtual/video4linux/video${nr}/${attr}`, 'utf8').trim();
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until sysfs `state` of /dev/video<nr> says capture (a producer streams). */
export async function waitForProducer(nr: number, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (sysfs(nr, 'state') === 'capture') return;
    await sleep(100);
  }
  throw new Error(`/dev/video${nr}: no producer streaming after ${timeoutMs} ms`);
}

/**
 * Waits until sysfs `readers` of /dev/video<nr> reaches n (streaming
 * consumers); gives up early when gaveUp() names a reason.
 */
export async function waitForReaders(
  nr: number,
  n: number,
  timeoutMs = 30_000,
  gaveUp: () => string | undefined = () => undefined,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (Number(sysfs(nr, 'readers')) >= n) return;
    const why = gaveUp();
    if (why) throw new Error(`/dev/video${nr}: waiting for ${n} streaming consumers: ${why}`);
    await sleep(50);
  }
  throw new Error(`/dev/video${nr}: fewer than ${n} streaming consumers after ${timeoutMs} ms (${sysfs(nr, 'readers')})`);
}

/**
 * Starts one command per entry, one after the other: each starts once the
 * previous one streams (sysfs `readers` of /dev/video<readersNr> went up).
 */
export async function staggered<T>(readersNr: number, starts: (() => Promise<T>)[]): Promise<T[]> {
  const runs: Promise<T>[] = [];
  const base = Number(sysfs(readersNr, 'readers'));
  for (const [i, start] of starts.entries()) {
    const p = start();
    let ended: string | undefined;
    p.then(
      (r) => (ended = `consumer ${i} ended first: ${JSON.stringify(r)}`),
      (e: unknown) => (ended = `consumer ${i} failed: ${String(e)}`),
    );
    runs.push(p);
    await waitForReaders(readersNr, base + i + 1, 30_000, () => ended);
  }
  return Promise.all(runs);
}

export interface Background {
  child: ChildProcess;
  done: Promise<RunResult>;
  stop(): Promise<RunResult>;
}

/** Starts a program in the background; stop() kills it (SIGTERM) and waits. */
export function background(cmd: string, args: readonly string[], timeoutMs = 120_000, env?: NodeJS.ProcessEnv): Background {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env && { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const done = new Promise<RunResult>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
  return {
    child,
    done,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return done;
    },
  };
}

/** Starts the stamping producer on /dev/video<nr> (frames <= 0: until stopped). */
export async function startProducer(
  nr: number,
  opts: { size?: string; fps?: number; frames?: number; mmap?: boolean; fourcc?: string } = {},
): Promise<Background> {
  const args = ['-d', `/dev/video${nr}`, '-s', opts.size ?? '320x240', '-r', String(opts.fps ?? 15)];
  args.push('-n', String(opts.frames ?? 0), '-f', opts.fourcc ?? 'YUYV');
  if (opts.mmap) args.push('-m');
  return background(await prog('v4l2l-producer'), args);
}

export interface ConsumerReport {
  frames: number;
  torn: number;
  unstamped: number;
  seqBackwards: number;
  tsBackwards: number;
  seqGaps: number;
  bytesMismatch: number;
  firstStamp: number;
  lastStamp: number;
  stampSkips: number;
  error?: string;
  errno?: number;
}

export async function consume(
  nr: number,
  opts: { frames?: number; holdMs?: number; read?: boolean; buffers?: number; timeoutS?: number } = {},
): Promise<ConsumerReport> {
  const args = ['-d', `/dev/video${nr}`, '-n', String(opts.frames ?? 30), '-t', String(opts.timeoutS ?? 30)];
  if (opts.holdMs) args.push('-H', String(opts.holdMs));
  if (opts.read) args.push('-r');
  if (opts.buffers) args.push('-b', String(opts.buffers));
  const r = await run(await prog('v4l2l-consumer'), args, { timeoutMs: ((opts.timeoutS ?? 30) + 30) * 1000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as ConsumerReport;
  } catch {
    throw new Error(`consumer printed no report (code ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

export interface ComplianceResult {
  total: number;
  succeeded: number;
  failed: number;
  warnings: number;
  failures: string[];
  output: string;
}

/**
 * Runs Debian's v4l2-compliance (Debian 12's by default, or the program
 * `bin`) and parses its totals and fail lines.
 */
export async function compliance(args: readonly string[], timeoutMs = 600_000, bin = 'v4l2-compliance'): Promise<ComplianceResult> {
  const r = await run('stdbuf', ['-o0', '-e0', bin, ...args], { timeoutMs });
  const output = r.stdout + r.stderr;
  const m = /Total for .*: (\d+), Succeeded: (\d+), Failed: (\d+), Warnings: (\d+)/.exec(output);
  if (!m) throw new Error(`v4l2-compliance ${args.join(' ')} printed no totals (timed out: ${r.timedOut})\n${output}`);
  const failures = output
    .split('\n')
    .filter((l) => /\bfail: /.test(l))
    .map((l) => l.trim());
  return {
    total: Number(m[1]),
    succeeded: Number(m[2]),
    failed: Number(m[3]),
    warnings: Number(m[4]),
    failures,
    output,
  };
}

/**
 * Debian 12's v4l-utils 1.22.1 predates the kernel's renaming of the NV12
 * description ("Y/CbCr 4:2:0" became "Y/UV 4:2:0" in Linux 6.0; the kernel,
 * not the driver, fills it in). Newer v4l-utils accept both. Every driver
 * that offers NV12 gets this one failure from this v4l2-compliance.
 */
export const nv12DescriptionSkew = /fmtdesc\.description mismatch: was 'Y\/UV 4:2:0', expected 'Y\/CbCr 4:2:0'/;

export function readJson<T>(text: string): T {
  return JSON.parse(text.trim().split('\n').pop() ?? '') as T;
}
