// program.ts - the v4l2loopback-ctl command tree: one module per verb,
// every verb with --json, exit codes listed in --help.
import { Command } from 'commander';
import { makeAddCommand } from './commands/add.js';
import { makeGetCapsCommand, makeSetCapsCommand } from './commands/caps.js';
import { makeDeleteCommand } from './commands/delete.js';
import { makeDoctorCommand } from './commands/doctor.js';
import { makeGetFpsCommand, makeSetFpsCommand } from './commands/fps.js';
import { makeListCommand } from './commands/list.js';
import { makeQueryCommand } from './commands/query.js';
import { makeStatusCommand } from './commands/status.js';
import { makeSnapshotCommand } from './commands/snapshot.js';
import { makeStreamCommand } from './commands/stream.js';
import { makeSetTimeoutImageCommand } from './commands/timeout-image.js';
import type { CliDeps } from './deps.js';
import { EXIT_CODES_HELP } from './exit-codes.js';

export function createProgram(deps: CliDeps): Command {
  const program = new Command('v4l2loopback-ctl')
    .description('manage v4l2loopback virtual video devices')
    .enablePositionalOptions()
    .option('-v, --version', 'print the CLI version, then the module version lines of the classic tool (sysfs, control device)')
    .option('--json', 'print one JSON document on stdout (errors: one JSON line on stderr)')
    .addHelpText('after', `\nA <device> is a path (/dev/video4), a number (4) or a card label.\n\n${EXIT_CODES_HELP}\n`);
  const commands = [
    makeAddCommand(deps),
    makeDeleteCommand(deps),
    makeQueryCommand(deps),
    makeListCommand(deps),
    makeSetFpsCommand(deps),
    makeGetFpsCommand(deps),
    makeSetCapsCommand(deps),
    makeGetCapsCommand(deps),
    makeSetTimeoutImageCommand(deps),
    makeStatusCommand(deps),
    makeStreamCommand(deps),
    makeSnapshotCommand(deps),
    makeDoctorCommand(deps),
  ];
  for (const c of commands) program.addCommand(c);
  return program;
}
