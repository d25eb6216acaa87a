// capture.ts - Capture, the consumer side: open a device's capture node,
// stream (mmap, or read()), and iterate frames with `for await`. When the
// producer switches format, the module skips this consumer and sends a
// source-change event; mmap captures then restart with the new format.
// createReadStream() makes it a Node Readable of frames.
import { Readable } from 'node:stream';
import { type LoopbackDevice, query } from './ctl.js';
import { AbortError, CodedError, closedError, notLoopback, throwIfAborted } from './errors.js';
import { call, callAsync, closeDevice, openDevice } from './fd.js';
import { FORMAT_FOURCC, formatOfFourcc, fourcc, fourccToString, frameSize, PIXEL_FORMATS, type PixelFormat } from './formats.js';
import { type NativeBinding, type NativePixFormat, native } from './native.js';
import { Poller, type WaitLimits } from './poller.js';
import { checkDeviceRef, type DeviceRef, devPath, resolveNode } from './resolve.js';
import { checkInteger, checkOneOf, checkOptions, checkPositiveInteger, checkSignal, invalidParameter, isPlainObject } from './validate.js';

export interface CaptureOptions {
  /** The device (path, number or label); a split device is read from its capture node. */
  device: DeviceRef;
  /** Convert frames to this format; default: as the device carries them. */
  format?: PixelFormat;
  /** 'mmap' (default) or 'read'. */
  io?: 'mmap' | 'read';
  /** Number of buffers for mmap io; default 4. */
  buffers?: number;
  /** Milliseconds read() (and iteration) waits for a frame before rejecting with ERR_READ_TIMEOUT; default: forever. */
  readTimeout?: number;
  /** Aborts the open (rejects with an AbortError; nothing stays open). */
  signal?: AbortSignal;
}

/** Options of read(), frames() and createReadStream(). */
export interface ReadOptions {
  /** Ends the wait with an AbortError. */
  signal?: AbortSignal;
  /** Milliseconds to wait for a frame (ERR_READ_TIMEOUT); default: the capture's readTimeout. */
  timeout?: number;
}

export interface CapturedFrame {
  /** The frame bytes (a copy: safe to keep). */
  data: Buffer;
  width: number;
  height: number;
  /** Library format name ('yuyv') when known, else the fourcc. */
  format: PixelFormat | string;
  /** The device's fourcc ('YUYV'). */
  fourcc: string;
  /** Bytes per row of `data` (luma plane for planar formats). */
  bytesperline: number;
  /** The producer's frame counter. */
  sequence: number;
  /** Capture time, microseconds on CLOCK_MONOTONIC. */
  timestamp: number;
}

const OPTION_KEYS = ['device', 'format', 'io', 'buffers', 'readTimeout', 'signal'] as const;
const READ_KEYS = ['signal', 'timeout'] as const;

export class Capture implements AsyncIterable<CapturedFrame> {
  /** Path of the node being read. */
  readonly device: string;
  readonly info: LoopbackDevice | undefined;
  readonly #b: NativeBinding;
  readonly #fd: number;
  readonly #type: number;
  readonly #poller: Poller;
  readonly #io: 'mmap' | 'read';
  readonly #want: PixelFormat | undefined;
  #fmt: NativePixFormat;
  #maps: ArrayBuffer[] = [];
  #scratch: Buffer | undefined;
  #streaming = false;
  #closed = false;
  #bufferCount = 4;
  #sourceChanges = false;
  #readTimeout: number | undefined;

  private constructor(b: NativeBinding, fd: number, path: string, info: LoopbackDevice | undefined, fmt: NativePixFormat, io: 'mmap' | 'read', want: PixelFormat | undefined) {
    this.#b = b;
    this.#fd = fd;
    this.device = path;
    this.info = info;
    this.#type = b.constants.V4L2_BUF_TYPE_VIDEO_CAPTURE!;
    this.#poller = new Poller(fd, b);
    this.#io = io;
    this.#fmt = fmt;
    this.#want = want;
  }

  static async open(options: CaptureOptions): Promise<Capture> {
    if (!isPlainObject(options)) throw invalidParameter('options', 'object', options);
    const o = checkOptions<CaptureOptions>('Capture.open() options', options, OPTION_KEYS);
    checkDeviceRef('device', o.device);
    const want = o.format === undefined ? undefined : checkOneOf('format', o.format, PIXEL_FORMATS);
    const io = o.io === undefined ? 'mmap' : checkOneOf('io', o.io, ['mmap', 'read'] as const);
    const buffers = o.buffers === undefined ? 4 : checkPositiveInteger('buffers', o.buffers, 32);
    const readTimeout = o.readTimeout === undefined ? undefined : checkInteger('readTimeout', o.readTimeout, 1, 2 ** 31 - 1);
    const signal = checkSignal('signal', o.signal);
    throwIfAborted(signal);
    const b = native();
    let info: LoopbackDevice | undefined;
    let path: string;
    try {
      info = await query(o.device);
      path = info.capturePath;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ENODEV' || code === 'ERR_DEVICE_NOT_FOUND' || code === 'ERR_NOT_LOOPBACK') throw err;
      // Without the control device (permissions) we still work on the node.
      path = devPath(await resolveNode(o.device));
    }
    throwIfAborted(signal);
    const fd = await openDevice(path);
    let cap: Capture | undefined;
    try {
      const c = call(path, () => b.querycap(fd));
      if (c.driver !== 'v4l2 loopback') throw notLoopback(path, c.driver);
      const type = b.constants.V4L2_BUF_TYPE_VIDEO_CAPTURE!;
      const fmt = call(path, () => b.getFormat(fd, type));
      cap = new Capture(b, fd, path, info, fmt, io, want);
      cap.#readTimeout = readTimeout;
      if (want) cap.#checkConvertible();
      if (io === 'mmap') await cap.#startMmap(buffers);
      throwIfAborted(signal);
      return cap;
    } catch (err) {
      if (cap) await cap.close().catch(() => undefined);
      else await closeDevice(fd);
      throw err;
    }
  }

  #checkConvertible(): void {
    const code = fourccToString(this.#fmt.pixelformat);
    if (!formatOfFourcc(code)) {
      throw new CodedError('ERR_FORMAT_UNSUPPORTED', `${this.device} carries ${code}, which cannot be converted to ${this.#want}`);
    }
  }

  async #startMmap(count: number): Promise<void> {
    this.#bufferCount = count;
    if (!this.#sourceChanges) {
      try {
        this.#b.subscribeEvent(this.#fd, this.#b.constants.V4L2_EVENT_SOURCE_CHANGE!, 0, 0);
        this.#sourceChanges = true;
      } catch {
        /* a module without source-change events: formats never change under us */
      }
    }
    const n = call(this.device, () => this.#b.reqbufs(this.#fd, this.#type, count));
    for (let i = 0; i < n; i++) {
      const info = call(this.device, () => this.#b.querybuf(this.#fd, this.#type, i));
      this.#maps.push(call(this.device, () => this.#b.mmap(this.#fd, info.length, info.offset, false)));
      call(this.device, () => this.#b.qbuf(this.#fd, this.#type, i));
    }
    await callAsync(this.device, () => this.#b.streamOn(this.#fd, this.#type));
    this.#streaming = true;
  }

  /** True if a source-change event is pending (drains the event queue). */
  #sourceChanged(): boolean {
    let changed = false;
    for (let ev = call(this.device, () => this.#b.dequeueEvent(this.#fd)); ev; ev = call(this.device, () => this.#b.dequeueEvent(this.#fd))) {
      if (ev.type === this.#b.constants.V4L2_EVENT_SOURCE_CHANGE) changed = true;
    }
    return changed;
  }

  /** The producer switched format: stream again with the new one. */
  async #restart(): Promise<void> {
    if (this.#streaming) {
      this.#streaming = false;
      await callAsync(this.device, () => this.#b.streamOff(this.#fd, this.#type));
    }
    for (const m of this.#maps) this.#b.munmap(m);
    this.#maps = [];
    call(this.device, () => this.#b.reqbufs(this.#fd, this.#type, 0));
    this.#fmt = call(this.device, () => this.#b.getFormat(this.#fd, this.#type));
    if (this.#want) this.#checkConvertible();
    await this.#startMmap(this.#bufferCount);
  }

  /** The device format being captured. */
  get width(): number {
    return this.#fmt.width;
  }

  get height(): number {
    return this.#fmt.height;
  }

  get fourcc(): string {
    return fourccToString(this.#fmt.pixelformat);
  }

  #frame(bytes: Uint8Array, sequence: number, timestamp: number): CapturedFrame {
    const f = this.#fmt;
    const code = fourccToString(f.pixelformat);
    if (this.#want && FORMAT_FOURCC[this.#want] !== code) {
      const data = Buffer.alloc(frameSize(this.#want, f.width, f.height));
      call(this.device, () =>
        this.#b.convert(bytes, f.pixelformat, f.bytesperline, data, fourcc(FORMAT_FOURCC[this.#want!]), 0, f.width, f.height),
      );
      return { data, width: f.width, height: f.height, format: this.#want, fourcc: FORMAT_FOURCC[this.#want], bytesperline: 0, sequence, timestamp };
    }
    return {
      data: Buffer.from(bytes),
      width: f.width,
      height: f.height,
      format: formatOfFourcc(code) ?? code,
      fourcc: code,
      bytesperline: f.bytesperline,
      sequence,
      timestamp,
    };
  }

  #limits(options: unknown): WaitLimits & { timeout: number | undefined } {
    const o = checkOptions<ReadOptions>('read options', options, READ_KEYS);
    const signal = checkSignal('signal', o.signal);
    const timeout = o.timeout === undefined ? this.#readTimeout : checkInteger('timeout', o.timeout, 1, 2 ** 31 - 1);
    return { signal, timeout, deadline: timeout === undefined ? undefined : performance.now() + timeout };
  }

  /**
   * The next frame; waits for the producer, at most `timeout` ms
   * (ERR_READ_TIMEOUT), until `signal` aborts (AbortError).
   */
  async read(options: ReadOptions = {}): Promise<CapturedFrame> {
    const limits = this.#limits(options);
    throwIfAborted(limits.signal);
    for (;;) {
      if (this.#closed) throw closedError(`Capture ${this.device}`);
      if (this.#io === 'mmap') {
        const buf = call(this.device, () => this.#b.dqbuf(this.#fd, this.#type));
        if (buf && buf.flags & this.#b.constants.V4L2_BUF_FLAG_ERROR!) {
          // the driver could not fill it (e.g. a format change): reuse it
          call(this.device, () => this.#b.qbuf(this.#fd, this.#type, buf.index));
          continue;
        }
        if (buf) {
          try {
            const view = new Uint8Array(this.#maps[buf.index]!, 0, Math.min(buf.bytesused || this.#fmt.sizeimage, this.#fmt.sizeimage));
            return this.#frame(view, buf.sequence, buf.timestampUs);
          } finally {
            call(this.device, () => this.#b.qbuf(this.#fd, this.#type, buf.index));
          }
        }
        if (this.#sourceChanges && this.#sourceChanged()) {
          await this.#restart();
          continue;
        }
      } else {
        this.#scratch ??= Buffer.alloc(this.#fmt.sizeimage);
        const n = call(this.device, () => this.#b.read(this.#fd, this.#scratch!));
        if (n !== null) return this.#frame(this.#scratch.subarray(0, n), -1, Math.round(performance.now() * 1000));
      }
      try {
        await this.#poller.waitFor(this.#sourceChanges ? ['readable', 'priority'] : ['readable'], limits);
      } catch (err) {
        if (this.#closed) throw closedError(`Capture ${this.device}`);
        if ((err as { code?: string }).code === 'ETIMEDOUT') {
          throw Object.assign(new CodedError('ERR_READ_TIMEOUT', `No frame from ${this.device} within ${limits.timeout} ms`), {
            hint: 'is a producer streaming? (v4l2loopback-ctl status)',
          });
        }
        throw err;
      }
    }
  }

  /**
   * Frames until the capture closes; leaving the loop closes it. `signal`
   * ends the iteration with an AbortError, `timeout` applies to each frame.
   */
  async *frames(options: ReadOptions = {}): AsyncGenerator<CapturedFrame, void, undefined> {
    const o = checkOptions<ReadOptions>('frames() options', options, READ_KEYS);
    try {
      while (!this.#closed) yield await this.read(o);
    } catch (err) {
      if (!this.#closed || err instanceof AbortError) throw err;
    } finally {
      await this.close();
    }
  }

  /**
   * A Node Readable in object mode that pushes one CapturedFrame per
   * frame; it ends when the capture closes, errors with ERR_READ_TIMEOUT
   * after `timeout` ms without a frame, and closes the capture when it is
   * destroyed or ends.
   */
  createReadStream(options: ReadOptions = {}): Readable {
    const o = checkOptions<ReadOptions>('createReadStream() options', options, READ_KEYS);
    const it = this.frames(o);
    return Readable.from(it, { objectMode: true, highWaterMark: 1 });
  }

  /** `for await (const frame of capture)`; leaving the loop closes the capture. */
  [Symbol.asyncIterator](): AsyncGenerator<CapturedFrame, void, undefined> {
    return this.frames();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#poller.close();
    try {
      if (this.#streaming) await callAsync(this.device, () => this.#b.streamOff(this.#fd, this.#type));
    } finally {
      for (const m of this.#maps) this.#b.munmap(m);
      this.#maps = [];
      await closeDevice(this.#fd);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
