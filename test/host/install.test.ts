// install.test.ts - the real-machine install paths, exercised on the host
// (nothing here loads a module): DKMS add/build in a temporary DKMS tree
// for the host's Debian 6.1 and 6.12 kernels (Debian 12's DKMS 3.0) and for
// the newest 7.x in the trixie chroot of the kernel cache (trixie's DKMS 3),
// `make sign` with a throwaway key, and `make install-utils` into a staging
// directory.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const top = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'v4l2l-install-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function sh(cmd: string, args: string[], opts: { cwd?: string; timeout?: number } = {}): string {
  return execFileSync(cmd, args, { cwd: opts.cwd ?? top, timeout: opts.timeout ?? 600_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const kernels = sh('bash', ['-c', '. sandbox/kernels.sh; for k in $(sandbox_test_kernels); do sandbox_resolve_kernel $k; done']).trim().split('\n');
// The newest 7.x and the chroot that has its headers and compiler.
const [ext7, ext7suite] = sh('bash', ['-c', '. sandbox/kernels.sh; r=$(sandbox_resolve_kernel 7) && echo $r $(sandbox_ext_suite $r)']).trim().split(' ');
const dkmsVersion = /PACKAGE_VERSION="([^"]+)"/.exec(readFileSync(join(top, 'dkms.conf'), 'utf8'))![1]!;

describe('install paths', () => {
  it('dkms.conf carries the module version', () => {
    const header = readFileSync(join(top, 'kmod/include/uapi/linux/v4l2loopback.h'), 'utf8');
    const part = (n: string) => /#define V4L2LOOPBACK_VERSION_(\w+) (\d+)/g;
    const v = Object.fromEntries([...header.matchAll(part(''))].map((m) => [m[1], m[2]]));
    expect(dkmsVersion).toBe(`${v.MAJOR}.${v.MINOR}.${v.BUGFIX}`);
  });

  it.each(kernels)('dkms add + build against the headers of %s', (kver) => {
    const src = join(tmp, 'src');
    const flags = `--sourcetree ${src} --dkmstree ${join(tmp, 'dkms')}`;
    mkdirSync(join(tmp, 'dkms'), { recursive: true });
    if (!existsSync(join(src, `v4l2loopback-${dkmsVersion}`))) {
      sh('make', ['-s', 'dkms-add', `DKMS_SRC=${join(src, `v4l2loopback-${dkmsVersion}`)}`, `DKMS_FLAGS=${flags}`]);
    }
    const out = sh('dkms', ['build', '-m', 'v4l2loopback', '-v', dkmsVersion, '-k', kver, ...flags.split(' ')]);
    expect(out).not.toMatch(/deprecated|error/i);
    const ko = join(tmp, 'dkms', 'v4l2loopback', dkmsVersion, kver, 'x86_64', 'module', 'v4l2loopback.ko');
    const found = existsSync(ko) ? ko : sh('find', [join(tmp, 'dkms'), '-path', `*${kver}*`, '-name', 'v4l2loopback.ko*']).trim().split('\n')[0]!;
    expect(found, 'dkms built no module').toMatch(/v4l2loopback\.ko/);
    expect(sh('modinfo', ['-F', 'vermagic', found])).toContain(kver);
  });

  it('dkms add + build with the DKMS 3 of the 7.x chroot against the newest 7.x headers', () => {
    const chroot = join(top, 'out', 'kernels', 'chroot', ext7suite!);
    const base = `/build/dkms-test-${process.pid}`;
    const inChroot = (args: string[]) => sh(join(top, 'scripts', 'kernels', 'in-chroot.sh'), [ext7suite!, ...args]);
    const flags = ['--sourcetree', `${base}/src`, '--dkmstree', `${base}/tree`];
    const src = join(chroot, base, 'src', `v4l2loopback-${dkmsVersion}`);
    try {
      mkdirSync(join(chroot, base, 'tree'), { recursive: true });
      cpSync(join(top, 'dkms.conf'), join(src, 'dkms.conf'));
      cpSync(join(top, 'kmod'), join(src, 'kmod'), { recursive: true, filter: (p) => !/\.(o|ko|mod|mod\.c|cmd|symvers|order)$/.test(p) });
      expect(inChroot(['dkms', '--version'])).toMatch(/^dkms-3\./);
      inChroot(['dkms', 'add', '-m', 'v4l2loopback', '-v', dkmsVersion, ...flags]);
      const out = inChroot(['dkms', 'build', '-m', 'v4l2loopback', '-v', dkmsVersion, '-k', ext7!, ...flags]);
      expect(out).not.toMatch(/deprecated|error/i);
      const found = sh('find', [join(chroot, base, 'tree'), '-path', `*${ext7}*`, '-name', 'v4l2loopback.ko*']).trim().split('\n')[0]!;
      expect(found, 'dkms built no module').toMatch(/v4l2loopback\.ko/);
      expect(sh('modinfo', ['-F', 'vermagic', found])).toContain(ext7);
    } finally {
      rmSync(join(chroot, base), { recursive: true, force: true });
    }
  });

  it('make sign signs the module with the given key', () => {
    const key = join(tmp, 'signing_key.pem');
    const cert = join(tmp, 'signing_cert.pem');
    sh('openssl', ['req', '-new', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=v4l2loopback throwaway test key/', '-keyout', key, '-out', cert]);
    sh('make', ['-s', 'sign', `KERNELRELEASE=${kernels[0]}`, `KBUILD_SIGN_KEY=${key}`, `KBUILD_SIGN_CERT=${cert}`]);
    expect(sh('modinfo', ['-F', 'signer', join(top, 'kmod', 'v4l2loopback.ko')]).trim()).toBe('v4l2loopback throwaway test key');
    sh('make', ['-s', '-C', 'kmod', `KERNELRELEASE=${kernels[0]}`, 'clean']);
  });

  it('make install-utils installs a working v4l2loopback-ctl', () => {
    const dest = join(tmp, 'root');
    sh('make', ['-s', 'install-utils', `DESTDIR=${dest}`, 'PREFIX=/usr']);
    const out = sh(join(dest, 'usr/bin/v4l2loopback-ctl'), ['--version']);
    expect(out).toMatch(/^v4l2loopback-ctl v\d+\.\d+\.\d+\n/);
    const help = sh(join(dest, 'usr/bin/v4l2loopback-ctl'), ['--help']);
    expect(help).toContain('set-timeout-image');
  });

  it('make install-udev installs the rule where udev reads it', () => {
    const dest = join(tmp, 'udevroot');
    sh('make', ['-s', 'install-udev', `DESTDIR=${dest}`]);
    expect(readFileSync(join(dest, 'etc/udev/rules.d/60-v4l2loopback.rules'), 'utf8')).toContain('GROUP="video"');
  });
});
