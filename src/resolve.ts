// resolve.ts - a device can be named by path ('/dev/video4', a by-id
// symlink), number (4 or '4') or card label ('OBS Virtual Camera').
import { realpath } from 'node:fs/promises';
import { deviceNotFound, moduleNotLoaded } from './errors.js';
import { moduleLoaded, nodeNumber, type SysfsOptions, videoNodes } from './sysfs.js';
import { invalidParameter } from './validate.js';

/** How callers name a device everywhere in the API. */
export type DeviceRef = string | number;

export interface ResolveOptions extends SysfsOptions {
  /** Directory of device nodes; default '/dev'. */
  devRoot?: string;
}

export function devPath(nr: number, o?: ResolveOptions): string {
  return `${o?.devRoot ?? '/dev'}/video${nr}`;
}

export function checkDeviceRef(name: string, ref: unknown): DeviceRef {
  if (typeof ref === 'number') {
    if (!Number.isInteger(ref) || ref < 0) throw invalidParameter(name, 'device number, path or label', ref);
    return ref;
  }
  if (typeof ref === 'string' && ref.length > 0) return ref;
  throw invalidParameter(name, 'device number, path or label', ref);
}

/** The video node number a reference names. Labels must name exactly one loopback device. */
export async function resolveNode(ref: DeviceRef, o?: ResolveOptions): Promise<number> {
  checkDeviceRef('device', ref);
  if (typeof ref === 'number') return ref;
  if (/^\d+$/.test(ref)) return Number(ref);
  if (/^video\d+$/.test(ref)) return nodeNumber(ref)!;
  if (ref.startsWith('/')) {
    let real = ref;
    try {
      real = await realpath(ref);
    } catch {
      /* report below with the name given */
    }
    const nr = nodeNumber(real);
    if (nr === undefined) throw invalidParameter('device', 'a /dev/videoN path', ref);
    return nr;
  }
  if (!(await moduleLoaded(o))) throw moduleNotLoaded();
  const nodes = (await videoNodes(o)).filter((n) => n.loopback);
  const matches = nodes.filter((n) => n.name === ref);
  if (matches.length === 0) {
    throw deviceNotFound(`label '${ref}'`, nodes.map((n) => `${devPath(n.nr, o)} '${n.name}'`));
  }
  // A split device shows its label on both nodes: the lowest is the output.
  return matches[0]!.nr;
}
