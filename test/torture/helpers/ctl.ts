// ctl.ts - raw control-device ioctls for the torture suite through
// v4l2l-ctlio (exact errno, optionally as another user), and errno names.
import { run } from '../../guest/helpers/kernel.js';
import { prog } from '../../guest/helpers/kmod.js';

export const EPERM = 1;
export const ENOENT = 2;
export const ENXIO = 6;
export const ENOMEM = 12;
export const EACCES = 13;
export const EBUSY = 16;
export const EEXIST = 17;
export const ENODEV = 19;
export const EINVAL = 22;
export const ENOSPC = 28;
export const ENOBUFS = 105;

export interface CtlResult {
  errno: number;
  /** ADD / ADD_CAPTURE: the new node number */
  nr?: number;
  /** "open" when opening the control device failed */
  stage?: string;
  /** QUERY */
  output_nr?: number;
  capture_nr?: number;
  label?: string;
  max_buffers?: number;
}

export interface AsUser {
  uid: number;
  /** primary group; the uid's number by default */
  gid?: number;
  /** supplementary groups */
  groups: readonly number[];
}

/** Runs v4l2l-ctlio (as root, or as `as` through setpriv) and parses its JSON line. */
export async function ctlio(args: readonly string[], as?: AsUser): Promise<CtlResult> {
  const bin = await prog('v4l2l-ctlio');
  const r = as
    ? await run('setpriv', [
        '--reuid',
        String(as.uid),
        '--regid',
        String(as.gid ?? as.uid),
        ...(as.groups.length ? ['--groups', as.groups.join(',')] : ['--clear-groups']),
        bin,
        ...args,
      ])
    : await run(bin, args);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as CtlResult;
  } catch {
    throw new Error(`v4l2l-ctlio ${args.join(' ')} printed no result (${r.code ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** ADD through the control device; throws unless it succeeds. Returns [output node, capture node]. */
export async function addDevice(fields: readonly string[] = []): Promise<{ out: number; cap: number }> {
  const a = await ctlio(['add', ...fields]);
  if (a.errno || a.nr === undefined) throw new Error(`ADD ${fields.join(' ')}: errno ${a.errno}`);
  const q = await ctlio(['query', String(a.nr)]);
  if (q.errno || q.capture_nr === undefined) throw new Error(`QUERY ${a.nr}: errno ${q.errno}`);
  return { out: a.nr, cap: q.capture_nr };
}
