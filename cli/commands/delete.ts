// delete.ts - `delete <dev>...`: removes devices (EBUSY while anyone has
// one open; the error names who holds it). As in the classic tool, a device
// that cannot be removed does not stop the others; the exit code is the
// last failure's.
import type { Command } from 'commander';
import { type DeviceFailure, eachDevice, type Rendered, verb } from '../command-kit.js';
import type { CliDeps } from '../deps.js';
import { errorJson } from '../output.js';

export interface DeleteResult {
  removed: string[];
  failed: DeviceFailure[];
}

export async function runDelete(deps: CliDeps, devices: readonly string[]): Promise<DeleteResult> {
  const { done, failed } = await eachDevice(devices, async (dev) => {
    await deps.lib.remove(dev);
    return dev;
  });
  return { removed: done, failed };
}

export function renderDelete(r: DeleteResult): Rendered {
  const errors = r.failed.map((f) => f.error);
  const json = { removed: r.removed, failed: r.failed.map((f) => ({ device: f.device, error: errorJson(f.error) })) };
  return { json, human: [], errors };
}

export function makeDeleteCommand(deps: CliDeps): Command {
  return verb(deps, 'delete', 'remove loopback devices (goes on past a device it cannot remove)', async (_ctx, devices: string[]) =>
    renderDelete(await runDelete(deps, devices)),
  )
    .alias('del')
    .alias('remove')
    .argument('<device...>', 'device: /dev/videoN, N or label');
}
