// fps.ts - `set-fps <dev> <fps>` and `get-fps <dev>`: the frame rate
// consumers see, through sysfs `format` (fps as N, N/D or a decimal: 30,
// 30000/1001, 29.97 for 30000/1001).
import type { Command } from 'commander';
import { formatFps, parseFps } from '../../src/caps.js';
import type { Fraction } from '../../src/formats.js';
import { type Rendered, verb } from '../command-kit.js';
import type { CliDeps } from '../deps.js';
import { withDevice } from '../device-session.js';
import { UsageError } from '../exit-codes.js';

const FPS_RE = /^@?(\d+(\/\d+)?|\d*\.\d+)$/;

/** Accepts the deprecated classic order `<fps> <dev>` too, with a warning. */
export function orderFpsArgs(deps: CliDeps, a: string, b: string): { device: string; fps: string } {
  if (FPS_RE.test(a) && /^(\/dev\/|video\d+$)/.test(b)) {
    deps.io.stderr(`warning: 'set-fps <fps> <device>' is deprecated, use 'set-fps ${b} ${a}'\n`);
    return { device: b, fps: a };
  }
  return { device: a, fps: b };
}

export async function runSetFps(deps: CliDeps, device: string, fpsText: string): Promise<Fraction> {
  const f = parseFps(fpsText);
  if (f.numerator / f.denominator > 1000) throw new UsageError(`frame rate '${fpsText}' is above the maximum of 1000 fps`);
  return withDevice(deps, device, (d) => {
    d.fps = formatFps(f);
    return d.fpsFraction ?? f;
  });
}

export async function runGetFps(deps: CliDeps, device: string): Promise<Fraction | undefined> {
  return withDevice(deps, device, (d) => d.fpsFraction);
}

function renderFps(f: Fraction | undefined): Rendered {
  if (!f) return { json: { fps: null }, human: '-1/-1', exitCode: 1 };
  return {
    json: { fps: f.numerator / f.denominator, numerator: f.numerator, denominator: f.denominator },
    human: `${f.numerator}/${f.denominator}`,
  };
}

export function makeSetFpsCommand(deps: CliDeps): Command {
  return verb(deps, 'set-fps', 'set the frame rate (30, 30000/1001, 29.97)', async (_ctx, a: string, b: string) => {
    const { device, fps } = orderFpsArgs(deps, a, b);
    return renderFps(await runSetFps(deps, device, fps));
  })
    .argument('<device>', 'device: /dev/videoN, N or label')
    .argument('<fps>', 'frames per second: N, N/D or a decimal');
}

export function makeGetFpsCommand(deps: CliDeps): Command {
  return verb(deps, 'get-fps', 'print the frame rate as N/D', async (_ctx, device: string) =>
    renderFps(await runGetFps(deps, device)),
  ).argument('<device>', 'device: /dev/videoN, N or label');
}
