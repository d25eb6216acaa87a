// command-kit.ts - what every verb shares: the --json option, the action
// wrapper that prints a result in the chosen mode, and argument parsers.
import { Command, InvalidArgumentError } from 'commander';
import type { CliDeps } from './deps.js';
import { exitCodeOf } from './exit-codes.js';
import { emit, emitError, type OutputMode } from './output.js';

export interface Rendered {
  /** The JSON document --json prints. */
  json: unknown;
  /** The lines human mode prints on stdout. */
  human: string | readonly string[];
  /** Exit code when the command ran but found problems (default 0). */
  exitCode?: number;
  /**
   * Failures of a verb that goes on past them (delete, query, as the classic
   * tool does): each is printed like a fatal error, and the exit code is the
   * last one's.
   */
  errors?: readonly unknown[];
}

/** What a verb's run function gets besides its positional arguments. */
export interface VerbContext {
  mode: OutputMode;
  /** The verb's parsed options (commander's opts()). */
  opts: Record<string, unknown>;
}

/** A new verb with --json, whose action prints what `run` returns. */
export function verb<A extends unknown[]>(
  deps: CliDeps,
  name: string,
  description: string,
  run: (ctx: VerbContext, ...args: A) => Promise<Rendered>,
): Command {
  const cmd = new Command(name).description(description).option('--json', 'print one JSON document on stdout');
  cmd.action(async (...raw: unknown[]) => {
    const command = raw[raw.length - 1] as Command;
    const mode: OutputMode = { json: Boolean(command.optsWithGlobals().json) };
    // commander passes (...positionals, options, command)
    const args = raw.slice(0, -2) as A;
    const r = await run({ mode, opts: command.opts() }, ...args);
    // --json: one document on success; on failure only the error lines.
    if (!(mode.json && r.errors?.length)) emit(deps.io, mode, r.json, r.human);
    for (const e of r.errors ?? []) emitError(deps.io, mode, e);
    if (r.errors?.length) deps.outcome.exitCode = exitCodeOf(r.errors[r.errors.length - 1]);
    else if (r.exitCode) deps.outcome.exitCode = r.exitCode;
  });
  return cmd;
}

/** commander argument parser for integers in [min, max]. */
export function intArg(name: string, min: number, max: number): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}, got '${v}'`);
    }
    return n;
  };
}

/** commander argument parser for 0/1 flags (classic `-x 0|1`). */
export function boolArg(name: string): (v: string) => boolean {
  return (v: string) => {
    if (v === '0' || v === 'false' || v === 'no') return false;
    if (v === '1' || v === 'true' || v === 'yes') return true;
    throw new InvalidArgumentError(`${name} must be 0 or 1, got '${v}'`);
  };
}

/** A device a verb could not handle, and why. */
export interface DeviceFailure {
  device: string;
  error: unknown;
}

/**
 * Runs fn for every device in turn, as the classic tool does: one that
 * fails does not stop the others. Returns what succeeded and what failed.
 */
export async function eachDevice<T>(
  devices: readonly string[],
  fn: (device: string) => Promise<T>,
): Promise<{ done: T[]; failed: DeviceFailure[] }> {
  const done: T[] = [];
  const failed: DeviceFailure[] = [];
  for (const device of devices) {
    try {
      done.push(await fn(device));
    } catch (error) {
      failed.push({ device, error });
    }
  }
  return { done, failed };
}
