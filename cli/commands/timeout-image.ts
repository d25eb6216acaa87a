// timeout-image.ts - `set-timeout-image [-t ms] <dev> <image>`: loads the
// placeholder consumers see when the producer stops. The PNG or JPEG is
// decoded and converted to the device format in process (no GStreamer).
import type { Command } from 'commander';
import { intArg, type Rendered, verb } from '../command-kit.js';
import type { CliDeps } from '../deps.js';
import { withDevice } from '../device-session.js';

const IMAGE_RE = /\.(png|jpe?g)$/i;

/** Accepts the deprecated classic order `<image> <dev>` too, with a warning. */
export function orderImageArgs(deps: CliDeps, a: string, b: string): { device: string; image: string } {
  if (IMAGE_RE.test(a) && !IMAGE_RE.test(b)) {
    deps.io.stderr(`warning: 'set-timeout-image <image> <device>' is deprecated, use 'set-timeout-image ${b} ${a}'\n`);
    return { device: b, image: a };
  }
  return { device: a, image: b };
}

export interface TimeoutImageResult {
  device: string;
  image: string;
  timeoutMs: number;
}

export async function runSetTimeoutImage(deps: CliDeps, device: string, image: string, timeoutMs?: number): Promise<TimeoutImageResult> {
  return withDevice(deps, device, async (d) => {
    await d.setTimeoutImage(image, timeoutMs === undefined ? {} : { timeoutMs });
    return { device: d.path, image, timeoutMs: d.timeout };
  });
}

export function renderTimeoutImage(r: TimeoutImageResult): Rendered {
  const human = [`timeout image of ${r.device} set from ${r.image}`];
  if (r.timeoutMs <= 0) human.push(`note: the timeout is 0, so it never shows; set one with -t 3000 (ms)`);
  else human.push(`shown after ${r.timeoutMs} ms without frames`);
  return { json: r, human };
}

export function makeSetTimeoutImageCommand(deps: CliDeps): Command {
  const cmd = verb(deps, 'set-timeout-image', 'set the image shown when the producer stops (PNG or JPEG)', async (ctx, a: string, b: string) => {
    const timeout = ctx.opts.timeout as number | undefined;
    const { device, image } = orderImageArgs(deps, a, b);
    return renderTimeoutImage(await runSetTimeoutImage(deps, device, image, timeout));
  });
  cmd
    .argument('<device>', 'device: /dev/videoN, N or label')
    .argument('<image>', 'PNG or JPEG file')
    .option('-t, --timeout <ms>', 'also set the timeout (ms without frames before the image shows)', intArg('--timeout', 0, 100000))
    .option('-v, --verbose', 'accepted for compatibility');
  return cmd;
}
