// native.ts - the hand-written type of the N-API addon and its lazy loader.
// Nothing here runs at import time: the addon loads on first use, so the
// pure parts of the library (and the CLI's --help) work without it.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativePixFormat {
  width: number;
  height: number;
  pixelformat: number;
  field: number;
  bytesperline: number;
  sizeimage: number;
  colorspace: number;
}

export interface NativeFraction {
  numerator: number;
  denominator: number;
}

export interface NativeParm {
  capability: number;
  timeperframe: NativeFraction;
  buffers: number;
}

export interface NativeCapability {
  driver: string;
  card: string;
  busInfo: string;
  version: number;
  capabilities: number;
  deviceCaps: number;
}

export interface NativeFormatDesc {
  index: number;
  pixelformat: number;
  description: string;
  flags: number;
}

export type NativeFrameSize =
  | { type: 'discrete'; width: number; height: number }
  | {
      type: 'stepwise' | 'continuous';
      minWidth: number;
      maxWidth: number;
      stepWidth: number;
      minHeight: number;
      maxHeight: number;
      stepHeight: number;
    };

export type NativeFrameInterval =
  | { type: 'discrete'; interval: NativeFraction }
  | { type: 'stepwise' | 'continuous'; min: NativeFraction; max: NativeFraction; step: NativeFraction };

export interface NativeControlInfo {
  id: number;
  type: number;
  name: string;
  minimum: number;
  maximum: number;
  step: number;
  defaultValue: number;
  flags: number;
  elems: number;
}

export interface NativeEvent {
  type: number;
  id: number;
  sequence: number;
  pending: number;
  timestampNs: number;
  count?: number;
  changes?: number;
  ctrl?: { changes: number; type: number; value: number; flags: number };
  data: Buffer;
}

export interface NativeBuffer {
  index: number;
  type: number;
  bytesused: number;
  flags: number;
  field: number;
  sequence: number;
  timestampUs: number;
  length: number;
  offset: number;
}

/** struct v4l2_loopback_config, field by field. */
export interface NativeLoopbackConfig {
  outputNr: number;
  captureNr: number;
  label: string;
  minWidth: number;
  maxWidth: number;
  minHeight: number;
  maxHeight: number;
  maxBuffers: number;
  maxOpeners: number;
  debug: number;
  announceAllCaps: number;
}

/** An opaque, type-tagged uv_poll handle. */
export interface NativePollerHandle {
  readonly __brand: 'NativePollerHandle';
}

export type PollCallback = (status: number, events: number) => void;

/** Every function the addon exports (addon/*.cc). */
export interface NativeBinding {
  uapiVersion: number;
  constants: Record<string, number>;
  pollEvents: { READABLE: number; WRITABLE: number; DISCONNECT: number; PRIORITIZED: number };

  ctlVersion(fd: number): number;
  ctlAdd(fd: number, config: Partial<NativeLoopbackConfig> | null): Promise<number>;
  ctlRemove(fd: number, nr: number): Promise<number>;
  ctlQuery(fd: number, outputNr: number): NativeLoopbackConfig;

  querycap(fd: number): NativeCapability;
  enumFormats(fd: number, type: number): NativeFormatDesc[];
  enumFrameSizes(fd: number, pixelformat: number): NativeFrameSize[];
  enumFrameIntervals(fd: number, pixelformat: number, width: number, height: number): NativeFrameInterval[];
  getFormat(fd: number, type: number): NativePixFormat;
  setFormat(fd: number, type: number, format: Partial<NativePixFormat>): NativePixFormat;
  tryFormat(fd: number, type: number, format: Partial<NativePixFormat>): NativePixFormat;
  getParm(fd: number, type: number): NativeParm;
  setParm(fd: number, type: number, numerator: number, denominator: number): NativeParm;

  listControls(fd: number): NativeControlInfo[];
  queryControl(fd: number, id: number): NativeControlInfo;
  queryMenu(fd: number, id: number, index: number): string | number | null;
  getControl(fd: number, id: number): number;
  setControl(fd: number, id: number, value: number): number;

  subscribeEvent(fd: number, type: number, id: number, flags: number): void;
  unsubscribeEvent(fd: number, type: number, id: number): void;
  dequeueEvent(fd: number): NativeEvent | null;

  reqbufs(fd: number, type: number, count: number): number;
  querybuf(fd: number, type: number, index: number): NativeBuffer;
  qbuf(fd: number, type: number, index: number, bytesused?: number, timestampUs?: number): NativeBuffer;
  dqbuf(fd: number, type: number): NativeBuffer | null;
  /**
   * The producer's per-frame QBUF of MMAP buffer `index`: no result object.
   * With `reclaim` (only while streaming) a non-blocking DQBUF follows in the
   * same call: the index of the buffer it took back, else -1 (its errors are
   * left for the next dqbufIndex()).
   */
  qbufIndex(fd: number, type: number, index: number, bytesused: number, reclaim: boolean): number;
  /** Non-blocking DQBUF of an MMAP buffer: its index, or -1 when none is ready. */
  dqbufIndex(fd: number, type: number): number;
  streamOn(fd: number, type: number): Promise<number>;
  streamOff(fd: number, type: number): Promise<number>;

  mmap(fd: number, length: number, offset: number, writable: boolean): ArrayBuffer;
  munmap(buffer: ArrayBuffer): boolean;

  write(fd: number, data: ArrayBufferView | ArrayBuffer): number | null;
  read(fd: number, target: ArrayBufferView | ArrayBuffer): number | null;

  pollerCreate(fd: number, callback: PollCallback): NativePollerHandle;
  pollerStart(handle: NativePollerHandle, events: number): void;
  pollerStop(handle: NativePollerHandle): void;
  pollerClose(handle: NativePollerHandle): void;

  convert(
    src: ArrayBufferView | ArrayBuffer,
    srcFourcc: number,
    srcStride: number,
    dst: ArrayBufferView | ArrayBuffer,
    dstFourcc: number,
    dstStride: number,
    width: number,
    height: number,
  ): void;
  scaleArgb(
    src: ArrayBufferView,
    srcWidth: number,
    srcHeight: number,
    dst: ArrayBufferView,
    dstWidth: number,
    dstHeight: number,
  ): void;
}

/** Thrown when the addon cannot be loaded; the message is a help page. */
export class AddonLoadError extends Error {
  readonly code = 'ERR_ADDON_NOT_BUILT';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AddonLoadError';
  }
}

// This file runs from src/ (vitest) or dist/src/ (built): find the root.
function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.endsWith(join('dist', 'src')) ? join(here, '..', '..') : join(here, '..');
}

let loaded: NativeBinding | undefined;
let override: NativeBinding | undefined;

/** Replaces the addon (tests, or an alternative build): `setBinding(undefined)` restores it. */
export function setBinding(binding: NativeBinding | undefined): void {
  override = binding;
}

/** The addon, loaded on first call. Honours V4L2LOOPBACK_NATIVE_PATH. */
export function native(): NativeBinding {
  if (override) return override;
  if (loaded) return loaded;
  if (process.platform !== 'linux') {
    throw new AddonLoadError(`v4l2loopback works on Linux only (this is ${process.platform})`);
  }
  const require = createRequire(import.meta.url);
  const tried: string[] = [];
  const explicit = process.env.V4L2LOOPBACK_NATIVE_PATH;
  let cause: unknown;
  try {
    if (explicit) {
      tried.push(explicit);
      loaded = require(explicit) as NativeBinding;
    } else {
      tried.push(`node-gyp-build(${packageRoot()})`);
      const load = require('node-gyp-build') as (dir: string) => unknown;
      loaded = load(packageRoot()) as NativeBinding;
    }
    return loaded;
  } catch (err) {
    cause = err;
  }
  const message = String((cause as Error | undefined)?.message ?? cause);
  const hints = [`Could not load the v4l2loopback native addon (tried ${tried.join(', ')}): ${message}`, 'Possible solutions:'];
  if ((cause as NodeJS.ErrnoException | undefined)?.code === 'ERR_DLOPEN_FAILED' || /invalid ELF|wrong ELF|undefined symbol/.test(message)) {
    hints.push('- The addon was built for another Node.js version or architecture: run `npm rebuild v4l2loopback`.');
  }
  hints.push(
    '- Build it from source: `npm rebuild v4l2loopback --build-from-source` (needs python3, make and g++).',
    '- Set V4L2LOOPBACK_NATIVE_PATH to a built v4l2loopback.node.',
  );
  throw new AddonLoadError(hints.join('\n'), { cause });
}
