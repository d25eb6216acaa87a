// mode.ts - how long and how hard the torture suite runs: the short form
// inside `make test` (TORTURE=short, the default) or the full form of
// `make torture` (TORTURE=full). Tests take their sizes from here so both
// forms run the same code.
import { readFileSync } from 'node:fs';

export const tortureMode: 'short' | 'full' = process.env.TORTURE === 'full' ? 'full' : 'short';

/** `short` in the shortened form, `full` in the full form. */
export function scaled<T>(short: T, full: T): T {
  return tortureMode === 'full' ? full : short;
}

/**
 * True on the sandbox's debug kernel (KASAN, lockdep, one CPU): everything
 * is several times slower there, so frame-rate targets do not apply, only
 * correctness does.
 */
export const onDebugKernel = release().endsWith('-v4l2l-debug');

function release(): string {
  return readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
}

/** The seed for randomised scenarios: TORTURE_SEED, or a fixed default so runs reproduce. */
export const tortureSeed = Number(process.env.TORTURE_SEED ?? 0x5eed) >>> 0;
