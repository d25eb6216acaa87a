// delete.ts - `delete <dev>...`: removes devices (EBUSY while anyone has
// one open; the error names who holds it).
import type { Command } from 'commander';
import { type Rendered, verb } from '../command-kit.js';
import type { CliDeps } from '../deps.js';

export async function runDelete(deps: CliDeps, devices: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const dev of devices) {
    await deps.lib.remove(dev);
    removed.push(dev);
  }
  return removed;
}

export function renderDelete(removed: readonly string[]): Rendered {
  return { json: { removed }, human: [] };
}

export function makeDeleteCommand(deps: CliDeps): Command {
  return verb(deps, 'delete', 'remove loopback devices', async (_ctx, devices: string[]) =>
    renderDelete(await runDelete(deps, devices)),
  )
    .alias('del')
    .alias('remove')
    .argument('<device...>', 'device: /dev/videoN, N or label');
}
