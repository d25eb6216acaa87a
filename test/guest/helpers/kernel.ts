// kernel.ts - guest test helpers: (re)load the module under test with given
// parameters, run client programs with a hard timeout, read the kernel log.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Path of the module built for the running kernel (set by sandbox/guest-run.sh). */
export const modulePath = process.env.V4L2L_KO ?? '';

export const inGuest = process.env.SANDBOX_GUEST === '1';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  timeoutMs?: number;
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** A program started by start(): signal it, or await its result. */
export interface Running {
  child: ChildProcess;
  result: Promise<RunResult>;
}

/** Runs a program to completion, killing it (SIGKILL) after timeoutMs. */
export function run(cmd: string, args: readonly string[] = [], opts: RunOptions = {}): Promise<RunResult> {
  return start(cmd, args, opts).result;
}

/** Starts a program; its result settles when it exits (SIGKILL after timeoutMs). */
export function start(cmd: string, args: readonly string[] = [], opts: RunOptions = {}): Running {
  const { timeoutMs = 60_000, input, env, cwd } = opts;
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const result = new Promise<RunResult>((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        timedOut,
      });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
  return { child, result };
}

/** Runs a program and throws with its output unless it exits 0. */
export async function runOk(cmd: string, args: readonly string[] = [], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    const why = r.timedOut ? `timed out after ${opts.timeoutMs ?? 60_000} ms` : `exited with ${r.code ?? r.signal}`;
    throw new Error(`${cmd} ${args.join(' ')} ${why}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
  return r;
}

export function moduleLoaded(): boolean {
  return existsSync('/sys/module/v4l2loopback');
}

/** Unloads the module under test if it is loaded. */
export async function unloadModule(): Promise<void> {
  if (moduleLoaded()) await runOk('rmmod', ['v4l2loopback'], { timeoutMs: 30_000 });
}

/** (Re)loads the module under test with the given parameters. */
export async function loadModule(params: Record<string, string | number | boolean> | string = {}): Promise<void> {
  if (!modulePath) throw new Error('V4L2L_KO is not set: guest tests run through sandbox/run');
  await unloadModule();
  const args =
    typeof params === 'string'
      ? params.split(/\s+/).filter(Boolean)
      : Object.entries(params).map(([k, v]) => {
          const value = String(typeof v === 'boolean' ? Number(v) : v);
          // The kernel splits module arguments at spaces unless they are quoted.
          return /\s/.test(value) ? `${k}="${value}"` : `${k}=${value}`;
        });
  await runOk('insmod', [modulePath, ...args], { timeoutMs: 30_000 });
  await runOk('udevadm', ['settle'], { timeoutMs: 10_000 }).catch(() => undefined);
}

/** The kernel log lines that signal a splat (warning, bug, oops, allocation failure...). */
export const splatPattern =
  /WARNING:|BUG:|kernel BUG|Oops|Call Trace|general protection fault|allocation failure|vmalloc error|blocked for more than|Kernel panic|UBSAN|KASAN|suspected memory leak|unreferenced object|possible (circular|recursive) locking|INFO: task/;

/** Writes a marker into the kernel log; kernelLogSince(marker) returns what follows it. */
export async function markKernelLog(tag: string): Promise<string> {
  const marker = `v4l2l-test-mark ${tag} ${process.pid}-${Date.now()}`;
  const { writeFile } = await import('node:fs/promises');
  await writeFile('/dev/kmsg', `${marker}\n`);
  return marker;
}

export async function kernelLogSince(marker: string): Promise<string> {
  const { stdout } = await runOk('dmesg', [], { timeoutMs: 10_000 });
  const at = stdout.lastIndexOf(marker);
  return at < 0 ? stdout : stdout.slice(at + marker.length);
}

/**
 * videobuf2-vmalloc buffers still allocated although no loaded module uses
 * videobuf2-vmalloc any more: memory a queue, or a dma-buf nobody holds,
 * never gave back. Empty while a user (our module, vivid, vim2m) is loaded,
 * since its buffers are legal.
 */
export async function orphanedVideoBuffers(): Promise<string[]> {
  const { readFile } = await import('node:fs/promises');
  const modules = await readFile('/proc/modules', 'utf8');
  // "videobuf2_vmalloc <size> <refs> <users,>|- Live ...": a dma-buf holds a reference but is no user
  const users = /^videobuf2_vmalloc \d+ \d+ (\S+)/m.exec(modules)?.[1] ?? '-';
  if (users !== '-') return [];
  const areas = await readFile('/proc/vmallocinfo', 'utf8');
  return areas.split('\n').filter((l) => /vb2_vmalloc/.test(l));
}
