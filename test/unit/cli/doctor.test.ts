// doctor.test.ts - doctor's checks against fake machines: each problem is
// reported with its fix, and a healthy machine passes.
import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.js';
import { device, fakeDeps } from './fake-deps.js';

const run = (f: ReturnType<typeof fakeDeps>, ...args: string[]) => main(['node', 'v4l2loopback-ctl', ...args], f.deps);

describe('doctor', () => {
  it('on a bare machine says the module is not loaded nor installed, with fixes', async () => {
    const f = fakeDeps();
    expect(await run(f, 'doctor', '--json')).toBe(1);
    const { ok, checks } = JSON.parse(f.out()) as { ok: boolean; checks: { id: string; status: string; fix?: string }[] };
    expect(ok).toBe(false);
    const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
    expect(byId['module-loaded']).toMatchObject({ status: 'fail', fix: expect.stringContaining('modprobe v4l2loopback') });
    expect(byId['module-installed']).toMatchObject({ status: 'fail', fix: expect.stringContaining('dkms') });
    expect(byId['headers']).toMatchObject({ status: 'warn', fix: 'sudo apt-get install linux-headers-6.1.0-56-amd64' });
  });

  it('flags an unsigned module under Secure Boot and a user outside group video', async () => {
    const f = fakeDeps({
      files: {
        '/sys/module/v4l2loopback/version': '0.15.90',
        '/dev/v4l2loopback': '',
        '/sys/kernel/security/lockdown': 'none [integrity] confidentiality',
        '/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c': '\x06\x00\x00\x00\x01',
        '/etc/group': 'video:x:44:alice\n',
      },
      modinfo: { '-F filename v4l2loopback': '/lib/modules/x/updates/dkms/v4l2loopback.ko\n' },
      groups: [1000],
    });
    f.lib.devices.set(0, device(0));
    await run(f, 'doctor', '--json');
    const { checks } = JSON.parse(f.out()) as { checks: { id: string; status: string; fix?: string; detail: string }[] };
    const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
    expect(byId['secure-boot']).toMatchObject({ status: 'warn', fix: expect.stringContaining('mokutil --import /var/lib/dkms/mok.pub') });
    expect(byId['permissions']).toMatchObject({ status: 'warn', fix: 'sudo usermod -aG video $USER, then log in again' });
    expect(byId['devices']).toMatchObject({ status: 'ok' });
  });

  it('passes on a healthy machine', async () => {
    const f = fakeDeps({
      files: {
        '/sys/module/v4l2loopback/version': '0.15.90',
        '/dev/v4l2loopback': '',
        '/lib/modules/6.1.0-56-amd64/build/Makefile': '',
        '/etc/udev/rules.d/60-v4l2loopback.rules': '',
      },
      readWrite: new Set(['/dev/v4l2loopback']),
      modinfo: { '-F filename v4l2loopback': '/lib/modules/x/extra/v4l2loopback.ko\n' },
    });
    f.lib.devices.set(0, device(0));
    expect(await run(f, 'doctor')).toBe(0);
    expect(f.out()).not.toMatch(/FAIL|warn/);
  });
});
