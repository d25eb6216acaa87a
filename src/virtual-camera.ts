// virtual-camera.ts - VirtualCamera, the pyvirtualcam-style producer:
// open a loopback device (or create one), send() frames in any of the
// library's formats (converted to the device's native format), pace them
// with nextFrame(), or fill device buffers in place with acquire()/publish();
// createWriteStream() makes it a Node Writable of frames.
import { Writable } from 'node:stream';
import { type FpsInput, toFpsFraction } from './caps.js';
import { type AddOptions, add, list, type LoopbackDevice, query, remove } from './ctl.js';
import { CodedError, closedError, notLoopback, throwIfAborted, toV4l2Error } from './errors.js';
import { call, callAsync, closeDevice, deviceHint, openDevice } from './fd.js';
import {
  defaultNativeFormat,
  evenSizeRule,
  formatOfFourcc,
  FORMAT_FOURCC,
  fourcc,
  fourccToString,
  type Fraction,
  fractionToFps,
  frameSize,
  PIXEL_FORMATS,
  type PixelFormat,
} from './formats.js';
import { native, type NativeBinding } from './native.js';
import { type IoMethod, type OutputBuffer, OutputStream, RESOLVED } from './output.js';
import { FpsCounter, Pacer } from './pacing.js';
import { checkDeviceRef, type DeviceRef } from './resolve.js';
import { onTerminationSignal } from './signals.js';
import { checkBoolean, checkOneOf, checkOptions, checkPositiveInteger, checkSignal, checkString, invalidParameter, isPlainObject } from './validate.js';

export interface VirtualCameraOptions {
  /** The device, by path, number or label. Default: the first free loopback device. */
  device?: DeviceRef;
  /** Pick the device with this card label. */
  label?: string;
  /** Create a device for this camera (removed again by close()); an object gives add() options. */
  create?: boolean | AddOptions;
  width: number;
  height: number;
  /** Frame rate for pacing and the device's S_PARM: 30, 29.97, '30000/1001' or a fraction; default 30. */
  fps?: FpsInput;
  /** Format of the frames given to send(); default 'rgb'. */
  format?: PixelFormat;
  /** Format to ask the device for; default: i420 for RGB-like input, else the input format. */
  nativeFormat?: PixelFormat;
  /** 'mmap' (default: zero copy, acquire()/publish()) or 'write' (one write() per frame). */
  io?: IoMethod;
  /** Number of device buffers for mmap io; default 4. */
  buffers?: number;
  /** Aborts the open (rejects with an AbortError; a created device is removed again). */
  signal?: AbortSignal;
  /**
   * With `create`: on SIGINT/SIGTERM, close the camera and remove the device,
   * then let the signal end the process (unless the application listens for
   * it too). Default false.
   */
  cleanupOnSignal?: boolean;
}

/** What close() did. It never rejects: a failure is reported here. */
export interface CloseResult {
  /** The output node the camera used. */
  device: string;
  /** True when close() removed the device that `create` made. */
  removed: boolean;
  /** Why closing or removing failed (EBUSY while a consumer still has the device open). */
  error?: Error;
}

/** Options of camera.createWriteStream(). */
export interface CameraWriteStreamOptions {
  /** Drop a frame (counted in camera.framesDropped) instead of waiting when the device has no free buffer. Default false. */
  dropWhenBusy?: boolean;
  /** Wait for nextFrame() after each frame, so the writer is paced at fps. Default false. */
  pace?: boolean;
  /** Frames buffered before write() returns false; default 2. */
  highWaterMark?: number;
  /** Close the camera when the stream finishes or is destroyed; default true. */
  autoClose?: boolean;
}

/** What a camera's calls return while the process ends by a signal (cleanupOnSignal). */
const NEVER: Promise<never> = new Promise<never>(() => undefined);

const OPTION_KEYS = ['device', 'label', 'create', 'width', 'height', 'fps', 'format', 'nativeFormat', 'io', 'buffers', 'signal', 'cleanupOnSignal'] as const;
const STREAM_KEYS = ['dropWhenBusy', 'pace', 'highWaterMark', 'autoClose'] as const;

/** Any ArrayBufferView as bytes (Uint8ClampedArray from a canvas, a DataView...); undefined for anything else. */
function bytesOf(frame: unknown): Uint8Array | undefined {
  if (frame instanceof Uint8Array) return frame;
  if (ArrayBuffer.isView(frame)) return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  return undefined;
}

export class VirtualCamera {
  /** Path of the output node frames go to. */
  readonly device: string;
  /** The loopback device, when the control device could describe it. */
  readonly info: LoopbackDevice | undefined;
  readonly width: number;
  readonly height: number;
  /** Frames per second (29.97002997 for 30000/1001). */
  readonly fps: number;
  /** The exact frame rate. */
  readonly fpsFraction: Fraction;
  /** Format send() takes. */
  readonly format: PixelFormat;
  /** V4L2 fourcc the device really carries ('YU12'). */
  readonly nativeFourcc: string;
  readonly #b: NativeBinding;
  readonly #out: OutputStream;
  readonly #pacer: Pacer;
  readonly #counter = new FpsCounter();
  readonly #frameBytes: number;
  readonly #created: boolean;
  /** send()'s frames are in the device format already: copied, not converted. */
  readonly #sameLayout: boolean;
  readonly #srcFourcc: number;
  #scratch: Buffer | undefined;
  #acquired: OutputBuffer | undefined;
  #framesSent = 0;
  #framesDropped = 0;
  #closing: Promise<CloseResult> | undefined;
  /** The process is ending by a signal: calls wait for it instead of failing on the closed camera. */
  #stalled = false;
  #unregisterSignal: (() => void) | undefined;
  #closed = false;
  /** The last send() that had to wait, and how many are still unsettled. */
  #sending: Promise<void> = RESOLVED;
  #pending = 0;

  private constructor(init: {
    b: NativeBinding;
    out: OutputStream;
    info: LoopbackDevice | undefined;
    width: number;
    height: number;
    fps: Fraction;
    format: PixelFormat;
    created: boolean;
  }) {
    this.#b = init.b;
    this.#out = init.out;
    this.device = init.out.path;
    this.info = init.info;
    this.width = init.width;
    this.height = init.height;
    this.fps = fractionToFps(init.fps);
    this.fpsFraction = init.fps;
    this.format = init.format;
    this.nativeFourcc = fourccToString(init.out.format.pixelformat);
    this.#pacer = new Pacer(this.fps);
    this.#frameBytes = frameSize(init.format, init.width, init.height);
    this.#created = init.created;
    this.#srcFourcc = fourcc(FORMAT_FOURCC[init.format]);
    this.#sameLayout = FORMAT_FOURCC[init.format] === this.nativeFourcc && init.out.format.sizeimage === this.#frameBytes;
  }

  /** Opens (or creates) a loopback device and sets its format. */
  static async open(options: VirtualCameraOptions): Promise<VirtualCamera> {
    if (!isPlainObject(options)) throw invalidParameter('options', 'object', options);
    const o = checkOptions<VirtualCameraOptions>('VirtualCamera.open() options', options, OPTION_KEYS);
    const width = checkPositiveInteger('width', o.width, 16384);
    const height = checkPositiveInteger('height', o.height, 16384);
    const fps: Fraction = o.fps === undefined ? { numerator: 30, denominator: 1 } : toFpsFraction('fps', o.fps);
    if (fractionToFps(fps) < 0.01) throw new RangeError(`Expected at least 0.01 fps for fps but received ${fractionToFps(fps)}`);
    const signal = checkSignal('signal', o.signal);
    const cleanupOnSignal = o.cleanupOnSignal === undefined ? false : checkBoolean('cleanupOnSignal', o.cleanupOnSignal);
    const format = o.format === undefined ? 'rgb' : checkOneOf('format', o.format, PIXEL_FORMATS);
    const nativeFormat = o.nativeFormat === undefined ? defaultNativeFormat(format) : checkOneOf('nativeFormat', o.nativeFormat, PIXEL_FORMATS);
    const io = o.io === undefined ? 'mmap' : checkOneOf('io', o.io, ['mmap', 'write'] as const);
    const buffers = o.buffers === undefined ? 4 : checkPositiveInteger('buffers', o.buffers, 32);
    for (const f of [format, nativeFormat]) {
      const even = evenSizeRule(f);
      if (even.width && width % 2) throw new RangeError(`Expected even width for format '${f}' but received ${width}`);
      if (even.height && height % 2) throw new RangeError(`Expected even height for format '${f}' but received ${height}`);
    }
    const chosen = [o.device !== undefined, o.label !== undefined, o.create !== undefined && o.create !== false].filter(Boolean).length;
    if (chosen > 1) throw new TypeError('Give only one of device, label and create');
    if (o.device !== undefined) checkDeviceRef('device', o.device);
    if (o.label !== undefined) checkString('label', o.label, 31);
    if (o.create !== undefined && typeof o.create !== 'boolean' && !isPlainObject(o.create)) {
      throw invalidParameter('create', 'boolean or add() options', o.create);
    }
    if (typeof o.create === 'boolean') checkBoolean('create', o.create);
    throwIfAborted(signal);

    const b = native();
    let info: LoopbackDevice | undefined;
    let created = false;
    // A signal while opening lets open() finish (removing what it created)
    // before the process ends; one after it closes the camera.
    let interrupted = false;
    let cam: VirtualCamera | undefined;
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const unregister =
      o.create && cleanupOnSignal
        ? onTerminationSignal(async (terminating) => {
            interrupted = true;
            await settled;
            if (cam) await cam.#closeOnSignal(terminating);
          })
        : undefined;
    try {
      if (o.create) {
        info = await add(typeof o.create === 'object' ? o.create : {});
        created = true;
      } else if (o.device !== undefined || o.label !== undefined) {
        info = await query((o.device ?? o.label)!);
      }
      throwIfAborted(signal);
      const candidates = info ? [info] : await list();
      if (candidates.length === 0) {
        throw new CodedError('ERR_DEVICE_NOT_FOUND', 'No v4l2loopback device exists: create one with add() or VirtualCamera.open({ create: true, ... })');
      }
      const errors: Error[] = [];
      for (const dev of candidates) {
        let out: OutputStream | undefined;
        try {
          out = await openOutput(b, dev.path, width, height, nativeFormat, fps, io);
          out.setup(buffers);
          throwIfAborted(signal);
          if (interrupted) throw new CodedError('ERR_INTERRUPTED', `VirtualCamera.open() was interrupted by a signal`);
        } catch (err) {
          await out?.close().catch(() => undefined);
          if (info) throw err;
          errors.push(err as Error);
          continue;
        }
        const c = new VirtualCamera({ b, out, info: dev, width, height, fps, format, created });
        cam = c;
        if (unregister && !interrupted) {
          unregister();
          c.#unregisterSignal = onTerminationSignal((terminating) => c.#closeOnSignal(terminating));
        }
        return c;
      }
      throw new CodedError('ERR_DEVICE_NOT_FOUND', `No loopback device accepted ${width}x${height} ${nativeFormat}:\n${errors.map((e) => `  ${e.message}`).join('\n')}`);
    } catch (err) {
      unregister?.();
      if (created && info) await remove(info.nr).catch(() => undefined);
      throw err;
    } finally {
      settle();
    }
  }

  /** The library name of the device's format, if it has one ('i420'), else the fourcc. */
  get nativeFormat(): PixelFormat | string {
    return formatOfFourcc(this.nativeFourcc) ?? this.nativeFourcc;
  }

  get framesSent(): number {
    return this.#framesSent;
  }

  /** Frames a write stream with `dropWhenBusy` dropped because the device had no free buffer. */
  get framesDropped(): number {
    return this.#framesDropped;
  }

  /** Moving average of the send rate, frames per second. */
  get currentFps(): number {
    return this.#counter.fps;
  }

  /** Bytes send() expects per frame. */
  get frameBytes(): number {
    return this.#frameBytes;
  }

  #check(): void {
    if (this.#closed) throw closedError(`VirtualCamera ${this.device}`);
  }

  /**
   * Sends one frame: exactly frameBytes in `format`, as a Buffer,
   * Uint8Array, Uint8ClampedArray (a canvas's ImageData.data) or any other
   * ArrayBufferView. Checks are synchronous (TypeError/RangeError); the
   * returned promise settles when the frame is queued on the device. When
   * no earlier send() is still waiting and the device has a free buffer, the
   * frame is queued before send() returns (an already settled promise).
   */
  send(view: ArrayBufferView): Promise<void> {
    if (this.#stalled) return NEVER;
    this.#check();
    const frame = this.#checkFrame(view);
    return this.#sendNow(frame, false) ?? RESOLVED;
  }

  #checkFrame(view: unknown): Uint8Array {
    const frame = bytesOf(view);
    if (!frame) throw invalidParameter('frame', 'Buffer, Uint8Array, Uint8ClampedArray or another ArrayBufferView', view);
    if (frame.byteLength !== this.#frameBytes) {
      throw new RangeError(
        `Expected frame of ${this.#frameBytes} bytes (${this.width}x${this.height} ${this.format}) but received ${frame.byteLength} bytes`,
      );
    }
    if (this.#acquired) throw new CodedError('ERR_BUFFER_ACQUIRED', 'publish() the acquired buffer before send()');
    return frame;
  }

  /**
   * Queues `frame` now if the device has room (undefined: done), else
   * waits in order (a promise) or, with `drop`, gives up (null).
   */
  #sendNow(frame: Uint8Array, drop: boolean): Promise<void> | undefined | null {
    // Streaming starts with the first frame, which always goes the long way.
    const busy = (): Promise<void> | null => (drop && this.#out.streaming ? null : this.#later(() => this.#send(frame)));
    if (this.#pending > 0) return busy();
    const out = this.#out;
    try {
      if (out.io === 'mmap') {
        const buf = out.streaming ? out.tryAcquire() : undefined;
        if (!buf) return busy();
        this.#fill(frame, buf);
        out.queue(buf);
      } else {
        const data = this.#sameLayout ? frame : this.#convertToScratch(frame);
        if (!out.tryWrite(data)) return drop ? null : this.#later(() => this.#write(data));
      }
    } catch (err) {
      return Promise.reject(err);
    }
    this.#sent();
    return undefined;
  }

  /** Runs `job` after every earlier send() that had to wait (calls stay in order). */
  #later(job: () => Promise<void>): Promise<void> {
    this.#pending++;
    const p = this.#sending.then(job);
    const settled = (): void => {
      this.#pending--;
    };
    this.#sending = p.then(settled, settled);
    return p;
  }

  #sent(): void {
    this.#framesSent++;
    this.#counter.tick();
  }

  #convertInto(frame: Uint8Array, dst: Uint8Array): void {
    const f = this.#out.format;
    try {
      this.#b.convert(frame, this.#srcFourcc, 0, dst, f.pixelformat, f.bytesperline, this.width, this.height);
    } catch (err) {
      throw toV4l2Error(err, this.device, deviceHint);
    }
  }

  #convertToScratch(frame: Uint8Array): Uint8Array {
    this.#scratch ??= Buffer.alloc(this.#out.format.sizeimage);
    this.#convertInto(frame, this.#scratch);
    return this.#scratch;
  }

  /** Copies or converts `frame` into an acquired device buffer; gives the buffer back on failure. */
  #fill(frame: Uint8Array, buf: OutputBuffer): void {
    try {
      if (this.#sameLayout) buf.data.set(frame);
      else this.#convertInto(frame, buf.data);
    } catch (err) {
      this.#out.release(buf);
      throw err;
    }
  }

  async #send(frame: Uint8Array): Promise<void> {
    if (this.#out.io === 'mmap') {
      const buf = await this.#out.acquire();
      this.#fill(frame, buf);
      await this.#out.publish(buf);
      this.#sent();
    } else {
      await this.#write(this.#sameLayout ? frame : this.#convertToScratch(frame));
    }
  }

  async #write(data: Uint8Array): Promise<void> {
    await this.#out.write(data);
    this.#sent();
  }

  /**
   * Zero copy: a device buffer (in the native format, `bytesperline` per
   * row) to fill in place, then publish(). mmap io only. Settled at once
   * when a buffer is free and no send() is waiting.
   */
  acquire(): Promise<OutputBuffer> {
    if (this.#stalled) return NEVER;
    try {
      this.#check();
      if (this.#out.io !== 'mmap') throw new CodedError('ERR_IO_METHOD', "acquire() needs io: 'mmap'");
      if (this.#acquired) throw new CodedError('ERR_BUFFER_ACQUIRED', 'publish() the acquired buffer first');
      const buf = this.#pending > 0 ? undefined : this.#out.tryAcquire();
      if (buf) {
        this.#acquired = buf;
        return Promise.resolve(buf);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#acquireLater();
  }

  async #acquireLater(): Promise<OutputBuffer> {
    await this.#sending;
    this.#acquired = await this.#out.acquire();
    return this.#acquired;
  }

  /** Queues the acquired buffer as the next frame. */
  publish(buffer?: OutputBuffer): Promise<void> {
    if (this.#stalled) return NEVER;
    let streaming: boolean;
    try {
      this.#check();
      const buf = this.#acquired;
      if (!buf) throw new CodedError('ERR_NO_BUFFER', 'publish() without acquire()');
      if (buffer !== undefined && buffer !== buf) throw invalidParameter('buffer', 'the buffer acquire() returned', buffer);
      this.#acquired = undefined;
      streaming = this.#out.queue(buf);
    } catch (err) {
      return Promise.reject(err);
    }
    if (!streaming) return this.#start();
    this.#sent();
    return RESOLVED;
  }

  async #start(): Promise<void> {
    await this.#out.start();
    this.#sent();
  }

  /** Sleeps until the next frame is due at `fps`, without drift; `signal` ends the sleep with an AbortError. */
  nextFrame(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#stalled) return NEVER;
    this.#check();
    const o = checkOptions<{ signal?: AbortSignal }>('nextFrame() options', options, ['signal']);
    return this.#pacer.next(checkSignal('signal', o.signal));
  }

  /**
   * A Node Writable in object mode: each chunk is one frame for send()
   * (any ArrayBufferView of frameBytes). write() returns false while
   * `highWaterMark` frames wait for the device (backpressure), or, with
   * `dropWhenBusy`, frames the device has no room for are dropped.
   */
  createWriteStream(options: CameraWriteStreamOptions = {}): Writable {
    this.#check();
    const o = checkOptions<CameraWriteStreamOptions>('createWriteStream() options', options, STREAM_KEYS);
    const drop = o.dropWhenBusy === undefined ? false : checkBoolean('dropWhenBusy', o.dropWhenBusy);
    const pace = o.pace === undefined ? false : checkBoolean('pace', o.pace);
    const autoClose = o.autoClose === undefined ? true : checkBoolean('autoClose', o.autoClose);
    const highWaterMark = o.highWaterMark === undefined ? 2 : checkPositiveInteger('highWaterMark', o.highWaterMark, 1024);
    const write = async (chunk: unknown): Promise<void> => {
      const frame = this.#checkFrame(chunk);
      const p = this.#sendNow(frame, drop);
      if (p === null) this.#framesDropped++;
      else if (p) await p;
      if (pace) await this.#pacer.next();
    };
    return new Writable({
      objectMode: true,
      highWaterMark,
      write: (chunk: unknown, _encoding, callback) => {
        try {
          write(chunk).then(() => callback(), callback);
        } catch (err) {
          callback(err as Error);
        }
      },
      // What closing found (a created device a consumer keeps) is not a
      // stream error: `await camera.close()` (the same result) tells it.
      destroy: (err, callback) => {
        if (!autoClose) return callback(err);
        void this.close().then(() => callback(err));
      },
      final: (callback) => {
        if (!autoClose) return callback();
        void this.close().then(() => callback());
      },
    });
  }

  /**
   * Stops streaming, unmaps and closes; removes the device that `create`
   * made. Never rejects: resolves with what happened (a device a consumer
   * still holds open stays, and `error` says so). Calling it again returns
   * the same result.
   */
  close(): Promise<CloseResult> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /**
   * cleanupOnSignal: close and remove the device. When the signal is about
   * to end the process, the application's frame loop is left waiting (its
   * calls never settle) rather than failing with ERR_CLOSED before the
   * process ends.
   */
  #closeOnSignal(terminating: boolean): Promise<CloseResult> {
    if (terminating) this.#stalled = true;
    return this.close();
  }

  async #close(): Promise<CloseResult> {
    this.#closed = true;
    this.#unregisterSignal?.();
    const result: CloseResult = { device: this.device, removed: false };
    await this.#sending;
    try {
      await this.#out.close();
    } catch (err) {
      result.error = err as Error;
    }
    if (this.#created && this.info) {
      try {
        await remove(this.info.nr);
        result.removed = true;
      } catch (err) {
        result.error ??= err as Error;
      }
    }
    return result;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

async function openOutput(
  b: NativeBinding,
  path: string,
  width: number,
  height: number,
  nativeFormat: PixelFormat,
  fps: Fraction,
  io: IoMethod,
): Promise<OutputStream> {
  const fd = await openDevice(path);
  try {
    const cap = call(path, () => b.querycap(fd));
    if (cap.driver !== 'v4l2 loopback') throw notLoopback(path, cap.driver);
    if (!(cap.deviceCaps & b.constants.V4L2_CAP_VIDEO_OUTPUT!)) {
      throw new CodedError('ERR_NOT_OUTPUT', `${path} does not take frames now (no VIDEO_OUTPUT capability; another producer may be streaming)`);
    }
    const type = b.constants.V4L2_BUF_TYPE_VIDEO_OUTPUT!;
    const fmt = call(path, () => b.setFormat(fd, type, { width, height, pixelformat: fourcc(FORMAT_FOURCC[nativeFormat]) }));
    if (fmt.width !== width || fmt.height !== height) {
      throw new CodedError('ERR_FORMAT_REFUSED', `${path} is fixed at ${fmt.width}x${fmt.height} ${fourccToString(fmt.pixelformat)} (keep_format or another user); asked for ${width}x${height}`);
    }
    if (!formatOfFourcc(fourccToString(fmt.pixelformat))) {
      throw new CodedError('ERR_FORMAT_REFUSED', `${path} carries ${fourccToString(fmt.pixelformat)}, which the library cannot convert to`);
    }
    try {
      // S_PARM takes the frame interval: the fps fraction upside down.
      call(path, () => b.setParm(fd, type, fps.denominator, fps.numerator));
    } catch {
      /* fps is a hint, as in pyvirtualcam */
    }
    return new OutputStream(b, fd, path, fmt, io);
  } catch (err) {
    await closeDevice(fd);
    throw err;
  }
}
