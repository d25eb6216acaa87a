// cli.ts - runs the compiled v4l2loopback-ctl (dist/cli/index.js) in the
// guest, as a user would, with a hard timeout.
import { join } from 'node:path';
import { type RunOptions, type RunResult, type Running, run, start } from './kernel.js';

export const cliPath = join(import.meta.dirname, '..', '..', '..', 'dist', 'cli', 'index.js');

export function ctl(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return run(process.execPath, [cliPath, ...args], { timeoutMs: 60_000, ...opts });
}

/** Starts the CLI in the background (e.g. `stream`), to be signalled later. */
export function startCtl(args: readonly string[], opts: RunOptions = {}): Running {
  return start(process.execPath, [cliPath, ...args], { timeoutMs: 120_000, ...opts });
}

/** Runs the CLI and fails the test, showing its output, unless it exits 0. */
export async function ctlOk(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await ctl(args, opts);
  if (r.code !== 0) throw new Error(`v4l2loopback-ctl ${args.join(' ')} exited with ${r.code ?? r.signal}\n${r.stderr}${r.stdout}`);
  return r;
}

/** Runs the CLI as another user (uid/gid, supplementary groups) via setpriv. */
export function ctlAs(uid: number, groups: readonly number[], args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const g = groups.length ? ['--groups', groups.join(',')] : ['--clear-groups'];
  return run('setpriv', ['--reuid', String(uid), '--regid', String(uid), ...g, process.execPath, cliPath, ...args], {
    timeoutMs: 60_000,
    ...opts,
  });
}
