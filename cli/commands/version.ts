// version.ts - `-v, --version`: the CLI's version, then the two lines the
// classic v4l2loopback-ctl prints (the module's sysfs version string and
// the version its control device reports), so scripts that grep them work.
import type { CliDeps } from '../deps.js';
import type { Rendered } from '../command-kit.js';

export interface Versions {
  cli: string;
  /** The control device's VERSION answer ('0.15.90'). */
  module: string | null;
  /** /sys/module/v4l2loopback/version. */
  sysfs: string | null;
  abi: string | null;
}

export async function runVersion(deps: CliDeps): Promise<Versions> {
  try {
    const v = await deps.lib.version();
    return { cli: deps.cliVersion, module: v.module, sysfs: v.moduleString ?? null, abi: v.library };
  } catch {
    return { cli: deps.cliVersion, module: null, sysfs: null, abi: null };
  }
}

export function renderVersion(v: Versions): Rendered {
  const human = [`v4l2loopback-ctl v${v.cli}`];
  if (!v.module) {
    human.push('v4l2loopback module: not loaded');
  } else {
    if (v.sysfs) human.push(`v4l2loopback sysfs v${v.sysfs}`);
    human.push(`v4l2loopback module v${v.module}`);
  }
  return { json: v, human };
}
