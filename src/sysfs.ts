// sysfs.ts - what /sys says about the module and its video nodes. The root
// is injectable so unit tests run against a fake tree in a temp dir.
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { toV4l2Error } from './errors.js';

export const MODULE_NAME = 'v4l2loopback';

export interface SysfsOptions {
  /** Root of sysfs; default '/sys'. */
  sysRoot?: string;
}

function root(o?: SysfsOptions): string {
  return o?.sysRoot ?? process.env.V4L2LOOPBACK_SYSFS ?? '/sys';
}

export function nodeDir(nr: number, o?: SysfsOptions): string {
  return join(root(o), 'class', 'video4linux', `video${nr}`);
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENODEV') return undefined;
    throw toV4l2Error(err, path);
  }
}

export async function moduleLoaded(o?: SysfsOptions): Promise<boolean> {
  try {
    await readdir(join(root(o), 'module', MODULE_NAME));
    return true;
  } catch {
    return false;
  }
}

/** The module's version string (/sys/module/v4l2loopback/version), if any. */
export async function moduleVersion(o?: SysfsOptions): Promise<string | undefined> {
  return (await readOptional(join(root(o), 'module', MODULE_NAME, 'version')))?.trim();
}

/** Module parameters by name, as the raw strings sysfs shows. */
export async function moduleParams(o?: SysfsOptions): Promise<Record<string, string>> {
  const dir = join(root(o), 'module', MODULE_NAME, 'parameters');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  for (const n of names.sort()) {
    const v = await readOptional(join(dir, n));
    if (v !== undefined) out[n] = v.trim();
  }
  return out;
}

/** One attribute of /sys/class/video4linux/videoN, trimmed; undefined if absent. */
export async function readAttr(nr: number, attr: string, o?: SysfsOptions): Promise<string | undefined> {
  return (await readOptional(join(nodeDir(nr, o), attr)))?.replace(/\n$/, '');
}

export async function writeAttr(nr: number, attr: string, value: string, o?: SysfsOptions): Promise<void> {
  const path = join(nodeDir(nr, o), attr);
  try {
    await writeFile(path, value);
  } catch (err) {
    throw toV4l2Error(err, path);
  }
}

export interface VideoNode {
  nr: number;
  /** The card label (sysfs `name`). */
  name: string;
  /** True when the node has v4l2loopback's own attributes. */
  loopback: boolean;
}

/** Every /dev/videoN sysfs knows, sorted by number. */
export async function videoNodes(o?: SysfsOptions): Promise<VideoNode[]> {
  let entries: string[];
  try {
    entries = await readdir(join(root(o), 'class', 'video4linux'));
  } catch {
    return [];
  }
  const nodes: VideoNode[] = [];
  for (const e of entries) {
    const m = /^video(\d+)$/.exec(e);
    if (!m) continue;
    const nr = Number(m[1]);
    const dir = nodeDir(nr, o);
    const name = (await readOptional(join(dir, 'name')))?.replace(/\n$/, '') ?? '';
    // Our nodes carry `format` and `state`; other drivers' nodes do not.
    const loopback = (await readOptional(join(dir, 'state'))) !== undefined || (await readOptional(join(dir, 'format'))) !== undefined;
    nodes.push({ nr, name, loopback });
  }
  return nodes.sort((a, b) => a.nr - b.nr);
}

/** Parses a /dev/videoN path (or 'videoN') to N. */
export function nodeNumber(path: string): number | undefined {
  const m = /(?:^|\/)video(\d+)$/.exec(path);
  return m ? Number(m[1]) : undefined;
}

/**
 * For a node that exists but is not ours: its driver's name (the sysfs
 * `device/driver` link, else the card name). Undefined when the node does
 * not exist or carries v4l2loopback's attributes.
 */
export function foreignNodeDriver(nr: number, o?: SysfsOptions): string | undefined {
  const dir = nodeDir(nr, o);
  if (!existsSync(dir) || existsSync(join(dir, 'state')) || existsSync(join(dir, 'format'))) return undefined;
  try {
    return basename(readlinkSync(join(dir, 'device', 'driver')));
  } catch {
    /* a virtual device without a driver link */
  }
  try {
    return readFileSync(join(dir, 'name'), 'utf8').trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}
