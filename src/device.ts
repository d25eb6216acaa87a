// device.ts - open(device): a handle on one loopback device for its
// settings (caps, fps, keep_format, sustain_framerate, timeout, timeout
// image), its state, and a 'readers' event from the client-usage event.
import { EventEmitter } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Caps, type FpsInput, formatCaps, formatFps, parseCaps, toFpsFraction } from './caps.js';
import { type LoopbackDevice, query } from './ctl.js';
import { CodedError, closedError, notLoopback, throwIfAborted, toV4l2Error, V4l2Error } from './errors.js';
import { call, callAsync, closeDevice, deviceHint, openDevice } from './fd.js';
import { busyHint } from './holders.js';
import { type Fraction, formatOfFourcc, fourcc, fourccToString, fractionToFps } from './formats.js';
import { decodeImage, imageToFrame } from './image.js';
import { type NativeBinding, native } from './native.js';
import { Poller } from './poller.js';
import { type DeviceRef, devPath, type ResolveOptions, resolveNode } from './resolve.js';
import { nodeDir } from './sysfs.js';
import { checkInteger, checkOptions, checkSignal, invalidParameter } from './validate.js';

export interface DeviceEvents {
  /** The number of streaming consumers changed. */
  readers: [count: number];
  error: [err: Error];
}

/** Options of setTimeoutImage(). */
export interface TimeoutImageOptions {
  /** Also set the `timeout` control (ms without frames before the image shows). */
  timeoutMs?: number;
}

/** Options of open(). */
export interface OpenOptions extends ResolveOptions {
  /** Aborts the open (rejects with an AbortError; nothing stays open). */
  signal?: AbortSignal;
}

export interface Device {
  on<K extends keyof DeviceEvents>(event: K, listener: (...args: DeviceEvents[K]) => void): this;
  once<K extends keyof DeviceEvents>(event: K, listener: (...args: DeviceEvents[K]) => void): this;
  off<K extends keyof DeviceEvents>(event: K, listener: (...args: DeviceEvents[K]) => void): this;
  emit<K extends keyof DeviceEvents>(event: K, ...args: DeviceEvents[K]): boolean;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Device extends EventEmitter {
  /** Output (or combined) node number. */
  readonly nr: number;
  /** Output (or combined) node path. */
  readonly path: string;
  /** Capture node path (same as path unless split). */
  readonly capturePath: string;
  readonly info: LoopbackDevice | undefined;
  readonly #fd: number;
  readonly #binding: NativeBinding;
  readonly #sysDir: string;
  #poller: Poller | undefined;
  #closed = false;

  private constructor(fd: number, nr: number, info: LoopbackDevice | undefined, o?: ResolveOptions) {
    super();
    this.#fd = fd;
    this.nr = nr;
    this.path = devPath(nr, o);
    this.capturePath = info?.capturePath ?? this.path;
    this.info = info;
    this.#binding = native();
    this.#sysDir = nodeDir(nr, o);
    this.on('newListener' as keyof DeviceEvents, (event: unknown) => {
      if (event === 'readers' && this.listenerCount('readers') === 0) this.#watchReaders();
    });
    this.on('removeListener' as keyof DeviceEvents, (event: unknown) => {
      if (event === 'readers' && this.listenerCount('readers') === 0) this.#unwatchReaders();
    });
  }

  /** Opens the device named by path, number or label. */
  static async open(device: DeviceRef, o: OpenOptions = {}): Promise<Device> {
    const signal = checkSignal('signal', o.signal);
    throwIfAborted(signal);
    let nr = await resolveNode(device, o);
    let info: LoopbackDevice | undefined;
    try {
      info = await query(nr, o);
      nr = info.nr;
    } catch (err) {
      // Without the control device (permissions) we still work on the node.
      const code = (err as { code?: string }).code;
      if (code === 'ENODEV' || code === 'ERR_NOT_LOOPBACK') throw err;
    }
    throwIfAborted(signal);
    const fd = await openDevice(devPath(nr, o));
    const d = new Device(fd, nr, info, o);
    try {
      const cap = d.#call(() => d.#binding.querycap(fd));
      if (cap.driver !== 'v4l2 loopback') throw notLoopback(d.path, cap.driver);
      throwIfAborted(signal);
    } catch (err) {
      await d.close();
      throw err;
    }
    return d;
  }

  get label(): string {
    return this.info?.label ?? this.#sysfs('name') ?? '';
  }

  #check(): void {
    if (this.#closed) throw closedError(`Device ${this.path}`);
  }

  #call<T>(fn: () => T): T {
    this.#check();
    return call(this.path, fn);
  }

  #sysfs(attr: string): string | undefined {
    const p = join(this.#sysDir, attr);
    try {
      return readFileSync(p, 'utf8').replace(/\n$/, '');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw toV4l2Error(err, p);
    }
  }

  #writeSysfs(attr: string, value: string): void {
    const p = join(this.#sysDir, attr);
    try {
      writeFileSync(p, value);
    } catch (err) {
      throw toV4l2Error(err, p);
    }
  }

  #control(id: number): number {
    return this.#call(() => this.#binding.getControl(this.#fd, id));
  }

  #setControl(id: number, value: number): void {
    this.#call(() => this.#binding.setControl(this.#fd, id, value));
  }

  #cid(name: string): number {
    return this.#binding.constants[name]!;
  }

  /**
   * The format consumers get, from sysfs `format` ('YUYV:640x480@30');
   * undefined while no producer holds one and keepFormat is off.
   */
  get caps(): Caps | undefined {
    this.#check();
    const s = this.#sysfs('format');
    return s ? parseCaps(s) : undefined;
  }

  /**
   * Fixes the format ('UYVY:640x480@30', as v4l2loopback-ctl set-caps): sets
   * it on the output side, turns keepFormat on and, with an fps, sets the
   * frame rate and sustainFramerate. 'any' turns keepFormat off.
   */
  set caps(value: string | Caps) {
    this.#check();
    if (value === 'any') {
      this.keepFormat = false;
      return;
    }
    const caps = typeof value === 'string' ? parseCaps(value) : value;
    const out = this.#binding.constants.V4L2_BUF_TYPE_VIDEO_OUTPUT!;
    const cur = this.#call(() => this.#binding.getFormat(this.#fd, out));
    const want = { width: caps.width ?? cur.width, height: caps.height ?? cur.height, pixelformat: fourcc(caps.fourcc) };
    // A pinned or unknown format is not an error to S_FMT: it answers with
    // what the device keeps. Compare, and say why it differs.
    const got = this.#call(() => this.#binding.setFormat(this.#fd, out, want));
    if (got.width !== want.width || got.height !== want.height || got.pixelformat !== want.pixelformat) {
      throw this.#capsRefused(want, got);
    }
    this.keepFormat = true;
    if (caps.fps) {
      this.#setFps(caps.fps);
      this.sustainFramerate = true;
    }
  }

  /** Why S_FMT kept `got` instead of `want`: EBUSY (pinned, in use) or EINVAL (not supported). */
  #capsRefused(want: { width: number; height: number; pixelformat: number }, got: { width: number; height: number; pixelformat: number }): V4l2Error {
    const b = this.#binding;
    const wanted = `${fourccToString(want.pixelformat)}:${want.width}x${want.height}`;
    const kept = `${fourccToString(got.pixelformat)}:${got.width}x${got.height}`;
    const fail = (errno: 'EBUSY' | 'EINVAL', hint: string): V4l2Error =>
      new V4l2Error({ errno: errno === 'EBUSY' ? -16 : -22, syscall: 'ioctl', ioctl: 'VIDIOC_S_FMT', path: this.path, hint: `${wanted} refused, the device keeps ${kept}: ${hint}` });
    if (this.keepFormat) {
      return fail('EBUSY', `keep_format pins the format; release it first (device.caps = 'any', or v4l2loopback-ctl set-caps ${this.path} any)`);
    }
    let offered: number[] | undefined;
    try {
      offered = b.enumFormats(this.#fd, b.constants.V4L2_BUF_TYPE_VIDEO_OUTPUT!).map((f) => f.pixelformat);
    } catch {
      /* the output side is gated: another producer streams */
    }
    // A device someone else uses offers just the format it has.
    if (offered === undefined || offered.length <= 1) {
      return fail('EBUSY', `another opener fixes the format (${busyHint(this.path)})`);
    }
    if (!offered.includes(want.pixelformat)) {
      // The formats the library converts to first: those are what callers usually want.
      const names = offered.map(fourccToString).sort((a, b) => Number(!formatOfFourcc(a)) - Number(!formatOfFourcc(b)));
      return fail('EINVAL', `the device does not take fourcc '${fourccToString(want.pixelformat)}'; it takes ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', ...' : ''}`);
    }
    const i = this.info;
    const range = i ? ` (${i.minWidth}x${i.minHeight} to ${i.maxWidth}x${i.maxHeight})` : '';
    return fail('EINVAL', `the size is outside what the device takes${range}`);
  }

  /** Caps as a string, or undefined. */
  get capsString(): string | undefined {
    const c = this.caps;
    return c ? formatCaps(c) : undefined;
  }

  /** Frames per second (from sysfs `format`, else G_PARM). */
  get fps(): number | undefined {
    const f = this.fpsFraction;
    return f ? fractionToFps(f) : undefined;
  }

  /** 30, 29.97, '30000/1001' or { numerator: 30000, denominator: 1001 }. */
  set fps(value: FpsInput) {
    this.#check();
    this.#setFps(toFpsFraction('fps', value));
  }

  get fpsFraction(): Fraction | undefined {
    this.#check();
    const caps = this.caps;
    if (caps?.fps) return caps.fps;
    const parm = this.#call(() => this.#binding.getParm(this.#fd, this.#binding.constants.V4L2_BUF_TYPE_VIDEO_OUTPUT!));
    const t = parm.timeperframe;
    return t.numerator > 0 ? { numerator: t.denominator, denominator: t.numerator } : undefined;
  }

  #setFps(f: Fraction): void {
    try {
      this.#writeSysfs('format', `@${formatFps(f)}`);
    } catch (err) {
      if ((err as { code?: string }).code !== 'ENOENT') throw err;
      this.#call(() => this.#binding.setParm(this.#fd, this.#binding.constants.V4L2_BUF_TYPE_VIDEO_OUTPUT!, f.denominator, f.numerator));
    }
  }

  get keepFormat(): boolean {
    return this.#control(this.#cid('V4L2LOOPBACK_CID_KEEP_FORMAT')) !== 0;
  }

  set keepFormat(v: boolean) {
    if (typeof v !== 'boolean') throw invalidParameter('keepFormat', 'boolean', v);
    this.#setControl(this.#cid('V4L2LOOPBACK_CID_KEEP_FORMAT'), v ? 1 : 0);
  }

  get sustainFramerate(): boolean {
    return this.#control(this.#cid('V4L2LOOPBACK_CID_SUSTAIN_FRAMERATE')) !== 0;
  }

  set sustainFramerate(v: boolean) {
    if (typeof v !== 'boolean') throw invalidParameter('sustainFramerate', 'boolean', v);
    this.#setControl(this.#cid('V4L2LOOPBACK_CID_SUSTAIN_FRAMERATE'), v ? 1 : 0);
  }

  /** Milliseconds without a frame before consumers get the timeout image (0 = off). */
  get timeout(): number {
    return this.#control(this.#cid('V4L2LOOPBACK_CID_TIMEOUT'));
  }

  set timeout(ms: number) {
    checkInteger('timeout', ms, 0, 100_000);
    this.#setControl(this.#cid('V4L2LOOPBACK_CID_TIMEOUT'), ms);
  }

  /** Number of streaming consumers (sysfs `readers`). */
  get readers(): number {
    this.#check();
    const s = this.#sysfs('readers');
    return s === undefined ? 0 : Number.parseInt(s, 10) || 0;
  }

  /** Frames producers have sent to the device since it was created (sysfs `frames`). */
  get frames(): number {
    this.#check();
    const s = this.#sysfs('frames');
    return s === undefined ? 0 : Number.parseInt(s, 10) || 0;
  }

  /** sysfs `state`: 'capture' while a producer streams (or keepFormat), else 'output'. */
  get state(): string {
    this.#check();
    return this.#sysfs('state') ?? 'unknown';
  }

  /** The device's V4L2 controls (all of them, including the standard ones). */
  controls(): ReturnType<NativeBinding['listControls']> {
    return this.#call(() => this.#binding.listControls(this.#fd));
  }

  /**
   * Loads the placeholder consumers see when the producer stops (a PNG or
   * JPEG path or bytes), decoded, scaled and converted to the device format
   * in process. Arms `timeout_image_io`, then writes the image as the next
   * opener, as the module expects.
   */
  async setTimeoutImage(image: string | Uint8Array, options: TimeoutImageOptions = {}): Promise<void> {
    this.#check();
    const o = checkOptions<TimeoutImageOptions>('setTimeoutImage() options', options, ['timeoutMs']);
    if (typeof image !== 'string' && !(image instanceof Uint8Array)) {
      throw invalidParameter('image', 'path, Buffer or Uint8Array', image);
    }
    if (o.timeoutMs !== undefined) checkInteger('timeoutMs', o.timeoutMs, 0, 100_000);
    const rgba = await decodeImage(image);
    const out = this.#binding.constants.V4L2_BUF_TYPE_VIDEO_OUTPUT!;
    const fmt = this.#call(() => this.#binding.getFormat(this.#fd, out));
    const frame = imageToFrame(rgba, {
      width: fmt.width,
      height: fmt.height,
      fourcc: fourccToString(fmt.pixelformat),
      bytesperline: fmt.bytesperline,
      sizeimage: fmt.sizeimage,
    });
    this.#setControl(this.#cid('V4L2LOOPBACK_CID_TIMEOUT_IMAGE_IO'), 1);
    await writeTimeoutImage(this.#binding, this.path, frame, fmt);
    if (o.timeoutMs !== undefined) this.timeout = o.timeoutMs;
  }

  #watchReaders(): void {
    if (this.#poller || this.#closed) return;
    const b = this.#binding;
    const type = b.constants.V4L2_EVENT_PRI_CLIENT_USAGE!;
    this.#call(() => b.subscribeEvent(this.#fd, type, 0, 0));
    this.#poller = new Poller(this.#fd, b);
    this.#poller.listen(['priority'], () => {
      try {
        for (let ev = b.dequeueEvent(this.#fd); ev; ev = b.dequeueEvent(this.#fd)) {
          if (ev.type === type) this.emit('readers', ev.count ?? 0);
        }
      } catch (err) {
        const e = toV4l2Error(err, this.path, deviceHint) as Error;
        if (this.listenerCount('error') > 0) this.emit('error', e);
      }
    });
  }

  #unwatchReaders(): void {
    if (!this.#poller) return;
    this.#poller.close();
    this.#poller = undefined;
    if (!this.#closed) {
      try {
        this.#binding.unsubscribeEvent(this.#fd, this.#binding.constants.V4L2_EVENT_PRI_CLIENT_USAGE!, 0);
      } catch {
        /* closing anyway */
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#unwatchReaders();
    this.#closed = true;
    await closeDevice(this.#fd);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Opens the device named by path, number or label. */
export function open(device: DeviceRef, o?: OpenOptions): Promise<Device> {
  return Device.open(device, o);
}

/**
 * The module's timeout-image protocol: after `timeout_image_io` is pressed,
 * the next opener's frame becomes the image. write() is tried first; a
 * module that wants it through mmap gets one queued buffer instead.
 */
async function writeTimeoutImage(
  b: NativeBinding,
  path: string,
  frame: Buffer,
  fmt: ReturnType<NativeBinding['getFormat']>,
): Promise<void> {
  const out = b.constants.V4L2_BUF_TYPE_VIDEO_OUTPUT!;
  const fd = await openDevice(path);
  try {
    call(path, () => b.setFormat(fd, out, fmt));
    let written: number | null = null;
    try {
      written = call(path, () => b.write(fd, frame));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'EBUSY' && code !== 'EINVAL' && code !== 'EPERM') throw err;
    }
    if (written === frame.length) return;
    const n = call(path, () => b.reqbufs(fd, out, 1));
    if (n < 1) throw new CodedError('ERR_TIMEOUT_IMAGE', `${path} granted no buffer for the timeout image`);
    const info = call(path, () => b.querybuf(fd, out, 0));
    const ab = call(path, () => b.mmap(fd, info.length, info.offset, true));
    try {
      new Uint8Array(ab).set(frame.subarray(0, Math.min(frame.length, info.length)));
      call(path, () => b.qbuf(fd, out, 0, Math.min(frame.length, info.length)));
      await callAsync(path, () => b.streamOn(fd, out));
      await callAsync(path, () => b.streamOff(fd, out));
    } finally {
      b.munmap(ab);
    }
  } finally {
    await closeDevice(fd);
  }
}
