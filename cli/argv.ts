// argv.ts - the classic tool's argument habits, applied before commander
// parses: any `del*` prefix is `delete`, `-?` is help on every verb, and a
// long option may be abbreviated to any unique prefix (getopt_long's rule:
// `--max-w 640`, `--na=Cam`); an ambiguous prefix is a usage error.
import type { Command } from 'commander';
import { UsageError } from './exit-codes.js';

/** Index of the verb: the first argument that is not an option. */
function verbIndex(args: readonly string[]): number {
  return args.findIndex((a) => !a.startsWith('-'));
}

/** The classic tool accepts any `del*` prefix for delete. */
function normalizeVerb(args: string[]): void {
  const i = verbIndex(args);
  if (i >= 0 && /^del(e(t(e)?)?)?$/.test(args[i]!) && args[i] !== 'del') args[i] = 'delete';
}

function longFlags(cmd: Command): string[] {
  const flags = cmd.options.map((o) => o.long).filter((l): l is string => typeof l === 'string');
  return [...new Set([...flags, '--help'])];
}

/** `--pre[=value]` expanded to the one long option it abbreviates. */
function expand(arg: string, flags: readonly string[]): string {
  const eq = arg.indexOf('=');
  const name = eq < 0 ? arg : arg.slice(0, eq);
  if (flags.includes(name)) return arg;
  const hits = flags.filter((f) => f.startsWith(name));
  if (hits.length === 1) return hits[0]! + (eq < 0 ? '' : arg.slice(eq));
  if (hits.length > 1) {
    throw new UsageError(`option '${name}' is ambiguous; possibilities: ${hits.map((h) => `'${h}'`).join(' ')}`);
  }
  return arg;
}

/** Rewrites classic-style arguments (after the program name) for commander. */
export function classicArgs(argv: readonly string[], program: Command): string[] {
  const args = [...argv];
  normalizeVerb(args);
  const vi = verbIndex(args);
  const verb = vi < 0 ? undefined : program.commands.find((c) => c.name() === args[vi] || c.aliases().includes(args[vi]!));
  const end = args.indexOf('--');
  for (let i = 0; i < args.length && (end < 0 || i < end); i++) {
    const a = args[i]!;
    if (a === '-?') {
      args[i] = '--help';
    } else if (a.startsWith('--') && a.length > 2) {
      const cmd = vi >= 0 && i > vi ? verb : program;
      if (cmd) args[i] = expand(a, longFlags(cmd));
    }
  }
  return args;
}
