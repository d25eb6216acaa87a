// doctor-checks.ts - the checks behind `v4l2loopback-ctl doctor`: each looks
// at one step between "installed" and "a camera apps can use" and, when it
// fails, says how to fix it with commands that work from the installed
// package (its own dkms.conf, kmod/ and udev/ directories), not a checkout.
import { join } from 'node:path';
import type { Library } from './deps.js';
import type { DoctorEnv } from './doctor-env.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

const MODULE = 'v4l2loopback';
const CONTROL = '/dev/v4l2loopback';
const UDEV_RULE = '60-v4l2loopback.rules';
const SECURE_BOOT_VAR = '/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c';

/** A path for a shell command line, quoted when it needs to be. */
function sh(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
}

/** Builds and installs the module from the package with DKMS (rebuilt on kernel updates). */
function dkmsInstall(env: DoctorEnv): string {
  return `sudo apt-get install dkms linux-headers-$(uname -r) && sudo dkms install ${sh(env.packageRoot())}`;
}

async function addon(lib: Library): Promise<CheckResult> {
  try {
    await lib.loadAddon();
    return { id: 'addon', title: 'native addon', status: 'ok', detail: 'the native addon loads' };
  } catch (err) {
    const [first, ...rest] = String((err as Error).message ?? err).split('\n');
    const fixes = rest.filter((l) => l.startsWith('- ')).map((l) => l.slice(2));
    return {
      id: 'addon',
      title: 'native addon',
      status: 'fail',
      detail: first ?? 'the native addon does not load',
      fix: fixes.length ? fixes.join(' | ') : 'npm rebuild v4l2loopback',
    };
  }
}

async function moduleLoaded(env: DoctorEnv): Promise<CheckResult> {
  const loaded = await env.exists(`/sys/module/${MODULE}`);
  return loaded
    ? { id: 'module-loaded', title: 'module loaded', status: 'ok', detail: `${MODULE} is loaded` }
    : {
        id: 'module-loaded',
        title: 'module loaded',
        status: 'fail',
        detail: `${MODULE} is not loaded`,
        fix: `sudo modprobe ${MODULE} (if that fails: install it, see "module installed")`,
      };
}

async function moduleInstalled(env: DoctorEnv): Promise<CheckResult> {
  const r = await env.exec('modinfo', ['-F', 'filename', MODULE]);
  const file = r.stdout.trim();
  if (r.code === 0 && file) {
    return { id: 'module-installed', title: 'module installed', status: 'ok', detail: `${file}` };
  }
  return {
    id: 'module-installed',
    title: 'module installed',
    status: 'fail',
    detail: `no ${MODULE} module for kernel ${env.kernelRelease()}`,
    fix: dkmsInstall(env),
  };
}

async function headers(env: DoctorEnv): Promise<CheckResult> {
  const kver = env.kernelRelease();
  const ok = await env.exists(`/lib/modules/${kver}/build/Makefile`);
  return ok
    ? { id: 'headers', title: 'kernel headers', status: 'ok', detail: `headers for ${kver} are installed` }
    : {
        id: 'headers',
        title: 'kernel headers',
        status: 'warn',
        detail: `no headers for the running kernel ${kver} (needed to build the module)`,
        fix: `sudo apt-get install linux-headers-${kver}`,
      };
}

async function versions(env: DoctorEnv, lib: Library, cliVersion: string): Promise<CheckResult> {
  if (!(await env.exists(CONTROL))) {
    return { id: 'versions', title: 'versions match', status: 'skip', detail: `${CONTROL} is missing` };
  }
  try {
    const v = await lib.version();
    const [mMaj, mMin] = v.module.split('.');
    const [lMaj, lMin] = v.library.split('.');
    const same = mMaj === lMaj && mMin === lMin;
    return {
      id: 'versions',
      title: 'versions match',
      status: same ? 'ok' : 'warn',
      detail: `module ${v.module}, library ABI ${v.library}, CLI ${cliVersion}`,
      ...(same
        ? {}
        : {
            fix: `install the module of this release and reload it: sudo dkms remove ${MODULE}/${v.module} --all; sudo dkms install ${sh(env.packageRoot())} && sudo modprobe -r ${MODULE} && sudo modprobe ${MODULE}`,
          }),
    };
  } catch (err) {
    return { id: 'versions', title: 'versions match', status: 'warn', detail: `cannot read the module version: ${(err as Error).message}` };
  }
}

async function secureBoot(env: DoctorEnv): Promise<CheckResult> {
  const lockdown = (await env.readFile('/sys/kernel/security/lockdown'))?.match(/\[(\w+)\]/)?.[1];
  const sbVar = await env.readFile(SECURE_BOOT_VAR);
  const secureBoot = sbVar !== undefined && sbVar.length > 0 && sbVar.charCodeAt(sbVar.length - 1) === 1;
  const locked = lockdown !== undefined && lockdown !== 'none';
  if (!secureBoot && !locked) {
    return { id: 'secure-boot', title: 'Secure Boot / lockdown', status: 'ok', detail: 'no Secure Boot or lockdown restrictions seen' };
  }
  const signer = (await env.exec('modinfo', ['-F', 'signer', MODULE])).stdout.trim();
  return {
    id: 'secure-boot',
    title: 'Secure Boot / lockdown',
    status: signer ? 'ok' : 'warn',
    detail: `${secureBoot ? 'Secure Boot is on' : 'Secure Boot off'}, lockdown ${lockdown ?? 'unknown'}; module ${signer ? `signed by ${signer}` : 'is not signed'}`,
    ...(signer
      ? {}
      : {
          fix: `enroll DKMS's signing key (sudo mokutil --import /var/lib/dkms/mok.pub, then reboot and confirm), then rebuild: sudo dkms install ${sh(env.packageRoot())} --force`,
        }),
  };
}

async function permissions(env: DoctorEnv): Promise<CheckResult> {
  if (!(await env.exists(CONTROL))) {
    return { id: 'permissions', title: 'permissions', status: 'skip', detail: `${CONTROL} is missing` };
  }
  if (await env.canReadWrite(CONTROL)) {
    return { id: 'permissions', title: 'permissions', status: 'ok', detail: `you can create and remove devices through ${CONTROL}` };
  }
  const groupLine = (await env.readFile('/etc/group'))?.split('\n').find((l) => l.startsWith('video:'));
  const videoGid = groupLine ? Number(groupLine.split(':')[2]) : undefined;
  const inVideo = videoGid !== undefined && env.groups().includes(videoGid);
  return {
    id: 'permissions',
    title: 'permissions',
    status: 'warn',
    detail: `no read/write access to ${CONTROL}${inVideo ? ' although you are in group video' : ' (you are not in group video)'}`,
    fix: inVideo ? `install the udev rule so ${CONTROL} belongs to group video: ${udevInstall(env)}` : 'sudo usermod -aG video $USER, then log in again',
  };
}

/** Installs the package's udev rule and applies it to existing nodes. */
function udevInstall(env: DoctorEnv): string {
  const rule = sh(join(env.packageRoot(), 'udev', UDEV_RULE));
  return `sudo install -m 0644 ${rule} /etc/udev/rules.d/ && sudo udevadm control --reload && sudo udevadm trigger --subsystem-match=misc --subsystem-match=video4linux`;
}

async function udevRule(env: DoctorEnv): Promise<CheckResult> {
  for (const dir of ['/etc/udev/rules.d', '/lib/udev/rules.d', '/usr/lib/udev/rules.d']) {
    if (await env.exists(`${dir}/${UDEV_RULE}`)) {
      return { id: 'udev', title: 'udev rule', status: 'ok', detail: `${dir}/${UDEV_RULE}` };
    }
  }
  return {
    id: 'udev',
    title: 'udev rule',
    status: 'warn',
    detail: `${UDEV_RULE} is not installed (only root can manage devices)`,
    fix: udevInstall(env),
  };
}

async function devicesHealthy(env: DoctorEnv, lib: Library): Promise<CheckResult> {
  if (!(await env.exists(`/sys/module/${MODULE}`))) {
    return { id: 'devices', title: 'devices', status: 'skip', detail: 'module not loaded' };
  }
  try {
    const devices = await lib.list();
    const problems: string[] = [];
    for (const d of devices) {
      try {
        const h = await lib.open(String(d.nr));
        await h.close();
      } catch (err) {
        problems.push(`${d.path}: ${(err as Error).message}`);
      }
    }
    if (problems.length) {
      return { id: 'devices', title: 'devices', status: 'fail', detail: problems.join('; '), fix: 'see the error; `v4l2loopback-ctl status` shows each device' };
    }
    return {
      id: 'devices',
      title: 'devices',
      status: devices.length ? 'ok' : 'warn',
      detail: devices.length ? `${devices.length} device(s) open fine: ${devices.map((d) => d.path).join(', ')}` : 'no loopback devices exist',
      ...(devices.length ? {} : { fix: 'v4l2loopback-ctl add -n "My Camera"' }),
    };
  } catch (err) {
    return { id: 'devices', title: 'devices', status: 'fail', detail: (err as Error).message };
  }
}

export async function runChecks(env: DoctorEnv, lib: Library, cliVersion: string): Promise<CheckResult[]> {
  const a = await addon(lib);
  // Without the addon the library cannot talk to the module: say so once.
  const needsAddon = (id: string, title: string, check: () => Promise<CheckResult>): Promise<CheckResult> | CheckResult =>
    a.status === 'ok' ? check() : { id, title, status: 'skip', detail: 'needs the native addon (see above)' };
  return [
    a,
    await moduleLoaded(env),
    await moduleInstalled(env),
    await headers(env),
    await needsAddon('versions', 'versions match', () => versions(env, lib, cliVersion)),
    await secureBoot(env),
    await permissions(env),
    await udevRule(env),
    await needsAddon('devices', 'devices', () => devicesHealthy(env, lib)),
  ];
}
