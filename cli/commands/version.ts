// version.ts - `-v, --version`: the CLI's version and the loaded module's.
import type { CliDeps } from '../deps.js';
import type { Rendered } from '../command-kit.js';

export interface Versions {
  cli: string;
  module: string | null;
  abi: string | null;
}

export async function runVersion(deps: CliDeps): Promise<Versions> {
  try {
    const v = await deps.lib.version();
    return { cli: deps.cliVersion, module: v.moduleString ?? v.module, abi: v.library };
  } catch {
    return { cli: deps.cliVersion, module: null, abi: null };
  }
}

export function renderVersion(v: Versions): Rendered {
  return {
    json: v,
    human: [`v4l2loopback-ctl v${v.cli}`, v.module ? `v4l2loopback module v${v.module}` : 'v4l2loopback module: not loaded'],
  };
}
