// main.ts - runs the CLI on an argv and returns the exit code; errors become
// their full text (plus a hint) or one JSON line on stderr.
import { type Command, CommanderError } from 'commander';
import { classicArgs } from './argv.js';
import type { CliDeps } from './deps.js';
import { exitCodeOf } from './exit-codes.js';
import { renderVersion, runVersion } from './commands/version.js';
import { emit, emitError } from './output.js';
import { createProgram } from './program.js';

/** Applies output routing and exitOverride to a command and all below it. */
function configure(cmd: Command, deps: CliDeps): void {
  cmd.exitOverride();
  cmd.configureOutput({
    writeOut: deps.io.stdout,
    writeErr: deps.io.stderr,
    outputError: () => undefined, // main prints errors itself
  });
  for (const sub of cmd.commands) configure(sub, deps);
}

export async function main(argv: readonly string[], deps: CliDeps): Promise<number> {
  const json = argv.slice(2).includes('--json');
  const program = createProgram(deps);
  configure(program, deps);
  deps.outcome.exitCode = 0;
  try {
    const args = classicArgs(argv.slice(2), program);
    if (args.some((a) => a === '-v' || a === '--version') && args.every((a) => a.startsWith('-'))) {
      const r = renderVersion(await runVersion(deps));
      emit(deps.io, { json }, r.json, r.human);
      return 0;
    }
    await program.parseAsync(args, { from: 'user' });
    return deps.outcome.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0; // --help
      if (err.code === 'commander.help') return exitCodeOf(err); // no verb: help was printed
      const message = err.message.replace(/^error: /, '').replace(/\n\((Did you mean [^)]*)\)$/, ' ($1)');
      emitError(deps.io, { json }, Object.assign(new Error(message), { code: err.code, hint: "see 'v4l2loopback-ctl --help'" }));
      return exitCodeOf(err);
    }
    emitError(deps.io, { json }, err);
    return exitCodeOf(err);
  }
}
