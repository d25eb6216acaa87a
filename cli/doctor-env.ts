// doctor-env.ts - the facts `doctor` reads about the machine (files, access
// rights, the running kernel, the user's groups, modinfo), behind an
// interface so its checks can be tested against a fake machine.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DoctorEnv {
  readFile(path: string): Promise<string | undefined>;
  exists(path: string): Promise<boolean>;
  canReadWrite(path: string): Promise<boolean>;
  /** Runs a program; code is null when it could not be started. */
  exec(cmd: string, args: readonly string[]): Promise<{ code: number | null; stdout: string }>;
  kernelRelease(): string;
  uid(): number;
  /** Group ids of the current process. */
  groups(): number[];
  /** Where this package is installed (holds dkms.conf, kmod/ and udev/). */
  packageRoot(): string;
}

/** The package root, from dist/cli/ (installed) or cli/ (a checkout under vitest). */
function ownPackageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.endsWith(join('dist', 'cli')) ? join(here, '..', '..') : join(here, '..');
}

export function realDoctorEnv(): DoctorEnv {
  return {
    readFile: async (p) => {
      try {
        return await readFile(p, 'utf8');
      } catch {
        return undefined;
      }
    },
    exists: async (p) =>
      access(p, constants.F_OK).then(
        () => true,
        () => false,
      ),
    canReadWrite: async (p) =>
      access(p, constants.R_OK | constants.W_OK).then(
        () => true,
        () => false,
      ),
    exec: (cmd, args) =>
      new Promise((resolve) => {
        execFile(cmd, [...args], { timeout: 10_000 }, (err, stdout) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
          resolve({ code, stdout: String(stdout) });
        });
      }),
    kernelRelease: () => release(),
    uid: () => process.getuid?.() ?? -1,
    groups: () => process.getgroups?.() ?? [],
    packageRoot: ownPackageRoot,
  };
}
