// exit-codes.ts - the CLI's stable exit codes, and the mapping from an error
// to its code (also listed in `v4l2loopback-ctl --help`).
import { CommanderError } from 'commander';

export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notFound: 3,
  permission: 4,
  busy: 5,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  unexpected error
  2  usage error (unknown option, bad caps string, bad fps, bad value)
  3  not found (no such device, module not loaded)
  4  permission denied
  5  device busy`;

const NOT_FOUND = new Set(['ENOENT', 'ENODEV', 'ENXIO', 'ERR_MODULE_NOT_LOADED', 'ERR_DEVICE_NOT_FOUND', 'ERR_NOT_LOOPBACK']);
const PERMISSION = new Set(['EACCES', 'EPERM']);
const BUSY = new Set(['EBUSY', 'EAGAIN']);

/** A usage problem found by a command itself (bad argument combination). */
export class UsageError extends Error {
  readonly code = 'ERR_USAGE';
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (err instanceof UsageError || err instanceof TypeError || err instanceof RangeError) return EXIT.usage;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (NOT_FOUND.has(code)) return EXIT.notFound;
    if (PERMISSION.has(code)) return EXIT.permission;
    if (BUSY.has(code)) return EXIT.busy;
    if (code === 'ERR_USAGE' || code === 'ERR_INVALID_ARG_VALUE') return EXIT.usage;
  }
  return EXIT.unexpected;
}
