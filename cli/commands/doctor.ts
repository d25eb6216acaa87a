// doctor.ts - `doctor`: checks each step from "module built" to "camera
// usable" and prints the fix for whatever fails.
import type { Command } from 'commander';
import { type Rendered, verb } from '../command-kit.js';
import type { CliDeps } from '../deps.js';
import { type CheckResult, runChecks } from '../doctor-checks.js';

const MARK: Record<CheckResult['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' };

export async function runDoctor(deps: CliDeps): Promise<CheckResult[]> {
  return runChecks(deps.doctor, deps.lib, deps.cliVersion);
}

export function renderDoctor(checks: readonly CheckResult[]): Rendered {
  const failed = checks.some((c) => c.status === 'fail');
  return {
    json: { ok: !failed, checks },
    human: checks.flatMap((c) => [`[${MARK[c.status]}] ${c.title}: ${c.detail}`, ...(c.fix ? [`       fix: ${c.fix}`] : [])]),
    exitCode: failed ? 1 : 0,
  };
}

export function makeDoctorCommand(deps: CliDeps): Command {
  return verb(deps, 'doctor', 'check the installation and print fixes', async () => renderDoctor(await runDoctor(deps)));
}
