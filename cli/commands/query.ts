// query.ts - `query [-e] <dev>...`: prints each device's configuration as
// the control device reports it (the classic field list); a device that
// cannot be queried does not stop the others.
import type { Command } from 'commander';
import type { LoopbackDevice } from '../../src/ctl.js';
import { type DeviceFailure, eachDevice, type Rendered, verb } from '../command-kit.js';
import type { CliDeps } from '../deps.js';
import { errorJson, escapeLabel } from '../output.js';

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

export interface QueryResult {
  devices: LoopbackDevice[];
  failed: DeviceFailure[];
}

export async function runQuery(deps: CliDeps, devices: readonly string[]): Promise<QueryResult> {
  const { done, failed } = await eachDevice(devices, (dev) => deps.lib.query(dev));
  return { devices: done, failed };
}

/** JSON: the array of devices, as before; with failures, { devices, failed }. */
export function renderQuery(r: QueryResult, escape: number): Rendered {
  return {
    json: r.failed.length ? { devices: r.devices, failed: r.failed.map((f) => ({ device: f.device, error: errorJson(f.error) })) } : r.devices,
    human: r.devices.flatMap((d) => [`${d.path}`, ...describeDevice(d, escape)]),
    errors: r.failed.map((f) => f.error),
  };
}

export function makeQueryCommand(deps: CliDeps): Command {
  const cmd = verb(deps, 'query', "print devices' configuration (goes on past a device it cannot query)", async (ctx, devices: string[]) => {
    return renderQuery(await runQuery(deps, devices), ctx.opts.escape as number);
  });
  cmd
    .argument('<device...>', 'device: /dev/videoN, N or label')
    .option('-e, --escape', 'escape control characters and quotes in labels (twice: escape again)', (_v: string, prev: number) => prev + 1, 0);
  return cmd;
}
