// runtimes.ts - Node.js binaries for the package tests, from the registry's
// node-linux-<arch> packages (the official builds; no other download),
// unpacked once into out/node/ and reused; and the arm64 runner (qemu-user
// with Debian's cross sysroot, no binfmt).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const top = join(import.meta.dirname, '..', '..', '..');
const cache = join(top, 'out', 'node');

/** bin/node of the official build of `version` for `arch`. */
export function nodeBinary(arch: 'x64' | 'arm64', version: string): string {
  const dir = join(cache, `linux-${arch}-${version}`);
  const bin = join(dir, 'bin', 'node');
  if (existsSync(bin)) return bin;
  mkdirSync(cache, { recursive: true });
  const tmp = mkdtempSync(join(cache, 'tmp-'));
  try {
    const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', tmp, `node-linux-${arch}@${version}`], { encoding: 'utf8', timeout: 600_000 }).trim().split('\n').pop()!;
    mkdirSync(join(tmp, 'pkg'));
    execFileSync('tar', ['-xzf', join(tmp, name), '-C', join(tmp, 'pkg'), '--strip-components=1']);
    rmSync(dir, { recursive: true, force: true });
    renameSync(join(tmp, 'pkg'), dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}

/** The command line that runs an arm64 binary on this host. */
export const ARM64_SYSROOT = '/usr/aarch64-linux-gnu';
export function arm64Command(bin: string, args: string[]): [string, string[]] {
  return ['qemu-aarch64', ['-L', ARM64_SYSROOT, bin, ...args]];
}
