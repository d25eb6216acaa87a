// add.ts - `add [options] [<outputdev> [<capturedev>]]`: creates a loopback
// device through the control device; two different devices make a split
// device (an output node plus a capture-only node).
import type { Command } from 'commander';
import type { AddOptions, LoopbackDevice } from '../../src/ctl.js';
import { boolArg, intArg, type Rendered, verb } from '../command-kit.js';
import type { CliDeps } from '../deps.js';
import { UsageError } from '../exit-codes.js';
import { describeDevice } from './query.js';

export interface AddCliOptions {
  name?: string;
  exclusiveCaps?: boolean;
  buffers?: number;
  maxOpeners?: number;
  maxWidth?: number;
  maxHeight?: number;
  minWidth?: number;
  minHeight?: number;
  verbose?: boolean;
  split?: boolean;
}

/** The node number a device argument names for `add`: N, /dev/videoN or videoN. */
export function nodeNumberArg(arg: string): number {
  const m = /^(?:\/dev\/)?(?:video)?(\d+)$/.exec(arg.trim());
  if (!m) throw new UsageError(`invalid device '${arg}': expected /dev/videoN or N`);
  return Number(m[1]);
}

export function toAddOptions(opts: AddCliOptions, outputDev?: string, captureDev?: string): AddOptions {
  const o: AddOptions = {};
  if (opts.name !== undefined) o.label = opts.name;
  if (opts.exclusiveCaps !== undefined) o.exclusiveCaps = opts.exclusiveCaps;
  if (opts.buffers !== undefined) o.maxBuffers = opts.buffers;
  if (opts.maxOpeners !== undefined) o.maxOpeners = opts.maxOpeners;
  if (opts.maxWidth !== undefined) o.maxWidth = opts.maxWidth;
  if (opts.maxHeight !== undefined) o.maxHeight = opts.maxHeight;
  if (opts.minWidth !== undefined) o.minWidth = opts.minWidth;
  if (opts.minHeight !== undefined) o.minHeight = opts.minHeight;
  if (o.minWidth !== undefined && o.maxWidth !== undefined && o.minWidth > o.maxWidth) {
    throw new UsageError(`--min-width (${o.minWidth}) is larger than --max-width (${o.maxWidth})`);
  }
  if (o.minHeight !== undefined && o.maxHeight !== undefined && o.minHeight > o.maxHeight) {
    throw new UsageError(`--min-height (${o.minHeight}) is larger than --max-height (${o.maxHeight})`);
  }
  if (outputDev !== undefined) o.outputNr = nodeNumberArg(outputDev);
  if (captureDev !== undefined) {
    const c = nodeNumberArg(captureDev);
    if (c !== o.outputNr) o.captureNr = c;
  } else if (opts.split) {
    o.captureNr = 'auto';
  }
  return o;
}

export async function runAdd(deps: CliDeps, opts: AddCliOptions, outputDev?: string, captureDev?: string): Promise<LoopbackDevice> {
  return deps.lib.add(toAddOptions(opts, outputDev, captureDev));
}

export function renderAdd(d: LoopbackDevice, verbose: boolean): Rendered {
  const human = d.split ? [d.path, d.capturePath] : [d.path];
  return { json: d, human: verbose ? [...human, ...describeDevice(d, 0)] : human };
}

export function makeAddCommand(deps: CliDeps): Command {
  const cmd = verb(deps, 'add', 'create a loopback device; prints its node(s)', async (ctx, outputDev?: string, captureDev?: string) => {
    const opts = ctx.opts as AddCliOptions;
    return renderAdd(await runAdd(deps, opts, outputDev, captureDev), Boolean(opts.verbose));
  });
  // Classic syntax: -h is --max-height here, so help is -? / --help.
  cmd
    .helpOption('-?, --help', 'display help for add')
    .argument('[outputdev]', 'output node to create: /dev/videoN or N (default: first free)')
    .argument('[capturedev]', 'capture node for a split device: /dev/videoM or M')
    .option('-n, --name <label>', 'card label shown by camera pickers')
    .option('-x, --exclusive-caps <0|1>', 'announce only OUTPUT until a producer streams, then only CAPTURE', boolArg('--exclusive-caps'))
    .option('-b, --buffers <n>', 'buffers per queue (1-32)', intArg('--buffers', 1, 32))
    .option('-o, --max-openers <n>', 'maximum simultaneous opens', intArg('--max-openers', 1, 1024))
    .option('-w, --max-width <px>', 'maximum frame width', intArg('--max-width', 2, 8192))
    .option('-h, --max-height <px>', 'maximum frame height', intArg('--max-height', 1, 8192))
    .option('--min-width <px>', 'minimum frame width', intArg('--min-width', 2, 8192))
    .option('--min-height <px>', 'minimum frame height', intArg('--min-height', 1, 8192))
    .option('-s, --split', 'make a split device: an output node plus a capture-only node (numbered by the driver)')
    .option('-v, --verbose', 'print the new device configuration');
  return cmd;
}
