// list.ts - `list [-e]`: every loopback device as "OUTPUT CAPTURE NAME"
// rows (header on stderr, as the classic tool does).
import type { Command } from 'commander';
import type { LoopbackDevice } from '../../src/ctl.js';
import { type Rendered, verb } from '../command-kit.js';
import type { CliDeps } from '../deps.js';
import { escapeLabel } from '../output.js';

export async function runList(deps: CliDeps): Promise<LoopbackDevice[]> {
  return deps.lib.list();
}

export function renderList(devices: readonly LoopbackDevice[], escape: number): Rendered {
  return {
    json: devices,
    human: devices.map((d) => `${d.path}\t${d.capturePath}\t${escape ? `"${escapeLabel(d.label, escape)}"` : d.label}`),
  };
}

export function makeListCommand(deps: CliDeps): Command {
  const cmd = verb(deps, 'list', 'list loopback devices', async (ctx) => {
    const escape = ctx.opts.escape as number;
    const devices = await runList(deps);
    if (!ctx.mode.json) deps.io.stderr(devices.length ? 'OUTPUT\tCAPTURE\tNAME\n' : 'no loopback devices found\n');
    return renderList(devices, escape);
  });
  cmd.option('-e, --escape', 'escape control characters and quotes in labels (twice: escape again)', (_v: string, prev: number) => prev + 1, 0);
  return cmd;
}
