// snapshot.ts - `snapshot <dev> <out.png>`: grabs one frame from a device's
// capture side and writes it as a PNG.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { intArg, type Rendered, verb } from '../command-kit.js';
import type { CliDeps } from '../deps.js';

export interface SnapshotResult {
  device: string;
  file: string;
  width: number;
  height: number;
  sourceFormat: string;
  sequence: number;
}

/** Error code when no frame arrives in time. */
export const NO_FRAME = 'ERR_NO_FRAME';

export async function runSnapshot(deps: CliDeps, device: string, file: string, timeoutMs: number): Promise<SnapshotResult> {
  const cap = await deps.lib.openCapture({ device, format: 'rgba' });
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            Object.assign(new Error(`no frame from ${cap.device} within ${timeoutMs} ms`), {
              code: NO_FRAME,
              hint: 'is a producer streaming? (v4l2loopback-ctl status)',
            }),
          ),
        timeoutMs,
      );
    });
    const frame = await Promise.race([cap.read(), timeout]);
    const { PNG } = await import('pngjs');
    const png = new PNG({ width: frame.width, height: frame.height });
    frame.data.copy(png.data, 0, 0, png.data.length);
    await writeFile(file, PNG.sync.write(png));
    return { device: cap.device, file, width: frame.width, height: frame.height, sourceFormat: frame.fourcc, sequence: frame.sequence };
  } finally {
    clearTimeout(timer);
    await cap.close();
  }
}

export function renderSnapshot(r: SnapshotResult): Rendered {
  return { json: r, human: `wrote ${r.file}: ${r.width}x${r.height} frame from ${r.device}` };
}

export function makeSnapshotCommand(deps: CliDeps): Command {
  const cmd = verb(deps, 'snapshot', 'save one frame as PNG', async (ctx, device: string, file: string) =>
    renderSnapshot(await runSnapshot(deps, device, file, ctx.opts.timeout as number)),
  );
  cmd
    .argument('<device>', 'device: /dev/videoN, N or label')
    .argument('<file>', 'PNG file to write')
    .option('--timeout <ms>', 'give up when no frame arrives within this time', intArg('--timeout', 1, 600000), 5000);
  return cmd;
}
