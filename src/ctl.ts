// ctl.ts - managing loopback devices through the control device
// /dev/v4l2loopback: version, list, add, remove, query.
import { CodedError, moduleNotLoaded, notLoopback, toV4l2Error, V4l2Error } from './errors.js';
import { call, callAsync, closeDevice, openDevice } from './fd.js';
import { busyHint } from './holders.js';
import { native } from './native.js';
import type { NativeLoopbackConfig } from './native.js';
import { type DeviceRef, devPath, type ResolveOptions, resolveNode } from './resolve.js';
import { foreignNodeDriver, moduleLoaded, moduleVersion, videoNodes } from './sysfs.js';
import { checkBoolean, checkInteger, checkOptions, checkPositiveInteger, checkString } from './validate.js';

export const CONTROL_DEVICE = '/dev/v4l2loopback';

/** A loopback device as the control device describes it. */
export interface LoopbackDevice {
  /** Number of the output node (the only node of a combined device). */
  nr: number;
  /** '/dev/videoN' of the output (or combined) node: producers write here. */
  path: string;
  /** Number of the capture node (equal to nr for a combined device). */
  captureNr: number;
  /** '/dev/videoN' consumers read from. */
  capturePath: string;
  /** True for a device with separate output and capture nodes. */
  split: boolean;
  label: string;
  exclusiveCaps: boolean;
  minWidth: number;
  maxWidth: number;
  minHeight: number;
  maxHeight: number;
  maxBuffers: number;
  maxOpeners: number;
}

export interface AddOptions {
  /** Card label (at most 31 bytes), shown by every camera picker. */
  label?: string;
  /** Announce only CAPTURE to consumers while a producer streams (Chrome needs it on combined devices). */
  exclusiveCaps?: boolean;
  /** Number of the output node (/dev/videoN); default: first free. */
  outputNr?: number;
  /** Capture node number for a split device, or 'auto'; default: one combined node. */
  captureNr?: number | 'auto';
  maxBuffers?: number;
  maxOpeners?: number;
  minWidth?: number;
  maxWidth?: number;
  minHeight?: number;
  maxHeight?: number;
}

const ADD_KEYS = ['label', 'exclusiveCaps', 'outputNr', 'captureNr', 'maxBuffers', 'maxOpeners', 'minWidth', 'maxWidth', 'minHeight', 'maxHeight'] as const;

/** Runs fn with an open control device. */
async function withControl<T>(fn: (fd: number) => Promise<T> | T): Promise<T> {
  let fd: number;
  try {
    fd = await openDevice(CONTROL_DEVICE);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') {
      if (!(await moduleLoaded())) throw moduleNotLoaded();
      throw new CodedError('ERR_NO_CONTROL_DEVICE', `${CONTROL_DEVICE} is missing although the module is loaded: check udev and /dev`, { cause: err });
    }
    throw err;
  }
  try {
    return await fn(fd);
  } finally {
    await closeDevice(fd);
  }
}

function fromConfig(c: NativeLoopbackConfig, o?: ResolveOptions): LoopbackDevice {
  const split = c.captureNr >= 0 && c.captureNr !== c.outputNr;
  const captureNr = split ? c.captureNr : c.outputNr;
  return {
    nr: c.outputNr,
    path: devPath(c.outputNr, o),
    captureNr,
    capturePath: devPath(captureNr, o),
    split,
    label: c.label,
    exclusiveCaps: c.announceAllCaps === 0,
    minWidth: c.minWidth,
    maxWidth: c.maxWidth,
    minHeight: c.minHeight,
    maxHeight: c.maxHeight,
    maxBuffers: c.maxBuffers,
    maxOpeners: c.maxOpeners,
  };
}

function decodeVersion(code: number): string {
  return `${(code >>> 16) & 0xff}.${(code >>> 8) & 0xff}.${code & 0xff}`;
}

export interface VersionInfo {
  /** The module's version ('0.15.90'), from V4L2LOOPBACK_CTL_VERSION. */
  module: string;
  /** The module's version code (KERNEL_VERSION-style). */
  code: number;
  /** The ABI version this library was built against. */
  library: string;
  /** /sys/module/v4l2loopback/version, when the module sets it. */
  moduleString?: string;
}

/** Versions of the loaded module and of the ABI the library speaks. */
export async function version(): Promise<VersionInfo> {
  const binding = native();
  const code = await withControl((fd) => call(CONTROL_DEVICE, () => binding.ctlVersion(fd)));
  const info: VersionInfo = { module: decodeVersion(code), code, library: decodeVersion(binding.uapiVersion) };
  const s = await moduleVersion();
  if (s) info.moduleString = s;
  return info;
}

/**
 * Queries the device owning node `nr` (an output, capture or combined
 * node). A node of another driver (a webcam) is ERR_NOT_LOOPBACK, not the
 * kernel's ENODEV.
 */
function queryNode(fd: number, nr: number, o?: ResolveOptions): NativeLoopbackConfig {
  try {
    return call(CONTROL_DEVICE, () => native().ctlQuery(fd, nr));
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENODEV') throw err;
    const driver = foreignNodeDriver(nr, o);
    if (driver !== undefined) throw notLoopback(devPath(nr, o), driver, { cause: err });
    // Name the node that was asked for, not the control device.
    const e = err as V4l2Error;
    throw new V4l2Error(
      { errno: e.errno, syscall: e.syscall, ioctl: e.ioctl, path: devPath(nr, o), hint: 'no loopback device has that number (v4l2loopback-ctl list shows them)' },
      { cause: err },
    );
  }
}

/** Every loopback device, once each, sorted by output number. */
export async function list(o?: ResolveOptions): Promise<LoopbackDevice[]> {
  if (!(await moduleLoaded(o))) throw moduleNotLoaded();
  const nodes = (await videoNodes(o)).filter((n) => n.loopback);
  if (nodes.length === 0) return [];
  return withControl((fd) => {
    const byOutput = new Map<number, LoopbackDevice>();
    for (const n of nodes) {
      try {
        const d = fromConfig(queryNode(fd, n.nr, o), o);
        byOutput.set(d.nr, d);
      } catch (err) {
        // Node vanished meanwhile, or is not ours after all.
        const code = (err as { code?: string }).code;
        if (code !== 'ENODEV' && code !== 'EINVAL' && code !== 'ERR_NOT_LOOPBACK') throw err;
      }
    }
    return [...byOutput.values()].sort((a, b) => a.nr - b.nr);
  });
}

/** Describes the device a reference names (either of its nodes works). */
export async function query(device: DeviceRef, o?: ResolveOptions): Promise<LoopbackDevice> {
  const nr = await resolveNode(device, o);
  return withControl((fd) => fromConfig(queryNode(fd, nr, o), o));
}

function toConfig(options: AddOptions): Partial<NativeLoopbackConfig> {
  const o = checkOptions<AddOptions>('add() options', options, ADD_KEYS);
  const c: Partial<NativeLoopbackConfig> = {};
  if (o.label !== undefined) c.label = checkString('label', o.label, 31);
  if (o.exclusiveCaps !== undefined) c.announceAllCaps = checkBoolean('exclusiveCaps', o.exclusiveCaps) ? 0 : 1;
  if (o.outputNr !== undefined) c.outputNr = checkInteger('outputNr', o.outputNr, -1, 255);
  if (o.captureNr !== undefined) c.captureNr = o.captureNr === 'auto' ? native().constants.V4L2LOOPBACK_SPLIT_AUTO_NR! : checkInteger('captureNr', o.captureNr, -1, 255);
  if (o.maxBuffers !== undefined) c.maxBuffers = checkPositiveInteger('maxBuffers', o.maxBuffers, 32);
  if (o.maxOpeners !== undefined) c.maxOpeners = checkPositiveInteger('maxOpeners', o.maxOpeners, 1024);
  for (const k of ['minWidth', 'maxWidth', 'minHeight', 'maxHeight'] as const) {
    if (o[k] !== undefined) c[k] = checkPositiveInteger(k, o[k], 16384);
  }
  if (c.minWidth !== undefined && c.maxWidth !== undefined && c.minWidth > c.maxWidth) {
    throw new RangeError(`Expected minWidth (${c.minWidth}) not to exceed maxWidth (${c.maxWidth})`);
  }
  if (c.minHeight !== undefined && c.maxHeight !== undefined && c.minHeight > c.maxHeight) {
    throw new RangeError(`Expected minHeight (${c.minHeight}) not to exceed maxHeight (${c.maxHeight})`);
  }
  return c;
}

/** Creates a device; resolves to its description. */
export async function add(options: AddOptions = {}, o?: ResolveOptions): Promise<LoopbackDevice> {
  const config = toConfig(options);
  const binding = native();
  return withControl(async (fd) => {
    const nr = await callAsync(CONTROL_DEVICE, () => binding.ctlAdd(fd, config));
    return fromConfig(queryNode(fd, nr), o);
  });
}

/** Removes a device (named by either node); EBUSY while anyone has it open. */
export async function remove(device: DeviceRef, o?: ResolveOptions): Promise<void> {
  const nr = await resolveNode(device, o);
  const binding = native();
  await withControl(async (fd) => {
    const d = fromConfig(queryNode(fd, nr, o), o);
    try {
      await binding.ctlRemove(fd, d.nr);
    } catch (err) {
      throw toV4l2Error(err, d.path, (e) =>
        e.code === 'EBUSY' ? [busyHint(d.path), d.split ? busyHint(d.capturePath) : ''].filter(Boolean).join('; ') : undefined,
      );
    }
  });
}
