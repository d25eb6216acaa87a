// query.ts - `query [-e] <dev>...`: prints each device's configuration as
// the control device reports it (the classic field list).
import type { Command } from 'commander';
import type { LoopbackDevice } from '../../src/ctl.js';
import { type Rendered, verb } from '../command-kit.js';
import type { CliDeps } from '../deps.js';
import { escapeLabel } from '../output.js';

/** The classic `query` lines for one device. */
export function describeDevice(d: LoopbackDevice, escape: number): string[] {
  const label = escape ? `"${escapeLabel(d.label, escape)}"` : d.label;
  return [
    `\tcapture_device#  : ${d.captureNr}`,
    `\toutput_device#   : ${d.nr}`,
    `\tcard_label       : ${label}`,
    `\tmin_width        : ${d.minWidth}`,
    `\tmax_width        : ${d.maxWidth}`,
    `\tmin_height       : ${d.minHeight}`,
    `\tmax_height       : ${d.maxHeight}`,
    `\tannounce_all_caps: ${d.exclusiveCaps ? 0 : 1}`,
    `\tmax_buffers      : ${d.maxBuffers}`,
    `\tmax_openers      : ${d.maxOpeners}`,
  ];
}

export async function runQuery(deps: CliDeps, devices: readonly string[]): Promise<LoopbackDevice[]> {
  const out: LoopbackDevice[] = [];
  for (const dev of devices) out.push(await deps.lib.query(dev));
  return out;
}

export function renderQuery(devices: readonly LoopbackDevice[], escape: number): Rendered {
  return {
    json: devices,
    human: devices.flatMap((d) => [`${d.path}`, ...describeDevice(d, escape)]),
  };
}

export function makeQueryCommand(deps: CliDeps): Command {
  const cmd = verb(deps, 'query', "print devices' configuration", async (ctx, devices: string[]) => {
    return renderQuery(await runQuery(deps, devices), ctx.opts.escape as number);
  });
  cmd
    .argument('<device...>', 'device: /dev/videoN, N or label')
    .option('-e, --escape', 'escape control characters and quotes in labels (twice: escape again)', (_v: string, prev: number) => prev + 1, 0);
  return cmd;
}
