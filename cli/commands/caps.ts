// caps.ts - `set-caps <dev> <FOURCC:WxH[@fps]|any>` fixes the format
// consumers get (keep_format; with an fps also the rate and
// sustain_framerate); `get-caps <dev>` prints it.
import type { Command } from 'commander';
import { type Caps, formatCaps, parseCaps } from '../../src/caps.js';
import { type Rendered, verb } from '../command-kit.js';
import type { CliDeps } from '../deps.js';
import { withDevice } from '../device-session.js';

/** Sets the caps; resolves to what the device now reports ('any' once released). */
export async function runSetCaps(deps: CliDeps, device: string, capsText: string): Promise<Caps | 'any' | undefined> {
  const caps = capsText === 'any' ? 'any' : parseCaps(capsText);
  return withDevice(deps, device, (d) => {
    d.caps = caps;
    return caps === 'any' ? 'any' : d.caps;
  });
}

export async function runGetCaps(deps: CliDeps, device: string): Promise<Caps | undefined> {
  return withDevice(deps, device, (d) => d.caps);
}

function renderCaps(c: Caps | 'any' | undefined): Rendered {
  if (!c) return { json: { caps: null }, human: [], exitCode: 1 };
  if (c === 'any') return { json: { caps: 'any' }, human: [] };
  return { json: { caps: formatCaps(c), ...c }, human: formatCaps(c) };
}

export function makeSetCapsCommand(deps: CliDeps): Command {
  return verb(deps, 'set-caps', "fix the format consumers get ('any' releases it)", async (_ctx, device: string, caps: string) =>
    renderCaps(await runSetCaps(deps, device, caps)),
  )
    .argument('<device>', 'device: /dev/videoN, N or label')
    .argument('<caps>', "FOURCC:WxH[@N[/D]], e.g. YUYV:1280x720@30, or 'any'");
}

export function makeGetCapsCommand(deps: CliDeps): Command {
  return verb(deps, 'get-caps', 'print the format as FOURCC:WxH@fps', async (_ctx, device: string) =>
    renderCaps(await runGetCaps(deps, device)),
  ).argument('<device>', 'device: /dev/videoN, N or label');
}
