// build-anywhere.test.ts - `make`, `make KERNELRELEASE=..`, `make install`
// (to a staging root) and `make sign` need nothing but the kernel's headers
// and a compiler: run as an unprivileged user (nobody) in a copy of the
// project, with dpkg-query, apt-get and every other dpkg/apt tool absent
// from PATH, against the host's Debian headers; and missing headers give one
// line naming the headers package of Debian/Ubuntu, Fedora and Arch.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const top = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'v4l2l-anywhere-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const nobody = 65534;

// A PATH with every tool of /usr/bin and /usr/sbin except dpkg's and apt's.
const bin = join(tmp, 'bin');
mkdirSync(bin);
for (const dir of ['/usr/bin', '/usr/sbin']) {
  for (const name of readdirSync(dir)) {
    if (/^(dpkg|apt)/.test(name)) continue;
    try {
      symlinkSync(join(dir, name), join(bin, name));
    } catch {
      // the same name in both folders: the first wins, as in a normal PATH
    }
  }
}

// The project's build files, owned by the unprivileged user.
const proj = join(tmp, 'proj');
cpSync(join(top, 'kmod'), join(proj, 'kmod'), { recursive: true, filter: (p) => !/\.(o|ko|mod|mod\.c|cmd)$|modules\.order|Module\.symvers/.test(p) });
cpSync(join(top, 'Makefile'), join(proj, 'Makefile'));
cpSync(join(top, 'dkms.conf'), join(proj, 'dkms.conf'));
execFileSync('chown', ['-R', `${nobody}:${nobody}`, tmp]);
chownSync(tmp, nobody, nobody);

function asNobody(args: string[]) {
  const r = spawnSync('setpriv', ['--reuid', `${nobody}`, '--regid', `${nobody}`, '--clear-groups', 'env', '-i', `PATH=${bin}`, `HOME=${tmp}`, ...args], {
    cwd: proj,
    encoding: 'utf8',
    timeout: 600_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, stderr: r.stderr };
}

// The newest of the host's Debian kernels that have headers (6.12 after
// make deps): what is proven here does not depend on the kernel, and the
// compile matrix builds every other one.
const kernels = readdirSync('/lib/modules')
  .filter((k) => {
    try {
      return readdirSync(join('/lib/modules', k, 'build')).includes('Makefile');
    } catch {
      return false;
    }
  })
  .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  .slice(-1);

describe('building without a package manager or root', () => {
  it('the restricted PATH really lacks dpkg-query and apt-get, and the user is not root', () => {
    const r = asNobody(['sh', '-c', 'id -u; command -v dpkg-query || echo no-dpkg-query; command -v apt-get || echo no-apt-get']);
    expect(r.out).toBe(`${nobody}\nno-dpkg-query\nno-apt-get\n`);
    expect(kernels.length, 'no kernel headers on the host').toBeGreaterThan(0);
  });

  it.each(kernels)('make KERNELRELEASE=%s, make install to a staging root, make sign', (kver) => {
    const build = asNobody(['make', '-j2', `KERNELRELEASE=${kver}`]);
    expect(build.code, build.out).toBe(0);
    expect(build.out).not.toMatch(/deps\.sh|dpkg|apt-get/);
    const vermagic = execFileSync('modinfo', ['-F', 'vermagic', join(proj, 'kmod', 'v4l2loopback.ko')], { encoding: 'utf8' });
    expect(vermagic).toContain(kver);

    const stage = join(tmp, `stage-${kver}`);
    const install = asNobody(['make', 'install', `KERNELRELEASE=${kver}`, `INSTALL_MOD_PATH=${stage}`]);
    expect(install.code, install.out).toBe(0);
    const installed = execFileSync('find', [stage, '-name', 'v4l2loopback.ko*'], { encoding: 'utf8' }).trim();
    expect(installed).toContain(`/lib/modules/${kver}/`);

    const key = join(tmp, `key-${kver}.pem`);
    execFileSync('openssl', ['req', '-new', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=v4l2loopback anywhere test key/', '-keyout', key, '-out', key], { stdio: 'ignore' });
    execFileSync('chown', [`${nobody}`, key]);
    const sign = asNobody(['make', 'sign', `KERNELRELEASE=${kver}`, `KBUILD_SIGN_KEY=${key}`, `KBUILD_SIGN_CERT=${key}`]);
    expect(sign.code, sign.out).toBe(0);
    expect(execFileSync('modinfo', ['-F', 'signer', join(proj, 'kmod', 'v4l2loopback.ko')], { encoding: 'utf8' }).trim()).toBe('v4l2loopback anywhere test key');

    const clean = asNobody(['make', 'clean']);
    expect(clean.code, clean.out).toBe(0);
  });

  it('missing headers: one line naming the package for Debian/Ubuntu, Fedora and Arch', () => {
    const r = asNobody(['make', '-s', 'KERNELRELEASE=0.0.0-none']);
    expect(r.code).not.toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('v4l2loopback:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('linux-headers-0.0.0-none');
    expect(lines[0]).toContain('Fedora: kernel-devel');
    expect(lines[0]).toContain('Arch: linux-headers');
  });
});
