// virtual-camera.ts - VirtualCamera, the pyvirtualcam-style producer:
// open a loopback device (or create one), send() frames in any of the
// library's formats (converted to the device's native format), pace them
// with nextFrame(), or fill device buffers in place with acquire()/publish().
import { type AddOptions, add, list, type LoopbackDevice, query, remove } from './ctl.js';
import { CodedError, closedError, toV4l2Error } from './errors.js';
import { call, callAsync, closeDevice, deviceHint, openDevice } from './fd.js';
import {
  defaultNativeFormat,
  evenSizeRule,
  formatOfFourcc,
  FORMAT_FOURCC,
  fourcc,
  fourccToString,
  frameSize,
  PIXEL_FORMATS,
  type PixelFormat,
} from './formats.js';
import { native, type NativeBinding } from './native.js';
import { type IoMethod, type OutputBuffer, OutputStream, RESOLVED } from './output.js';
import { FpsCounter, Pacer } from './pacing.js';
import { checkDeviceRef, type DeviceRef } from './resolve.js';
import { checkBoolean, checkNumber, checkOneOf, checkOptions, checkPositiveInteger, checkString, invalidParameter, isPlainObject } from './validate.js';

export interface VirtualCameraOptions {
  /** The device, by path, number or label. Default: the first free loopback device. */
  device?: DeviceRef;
  /** Pick the device with this card label. */
  label?: string;
  /** Create a device for this camera (removed again by close()); an object gives add() options. */
  create?: boolean | AddOptions;
  width: number;
  height: number;
  /** Frame rate for pacing and the device's S_PARM; default 30. */
  fps?: number;
  /** Format of the frames given to send(); default 'rgb'. */
  format?: PixelFormat;
  /** Format to ask the device for; default: i420 for RGB-like input, else the input format. */
  nativeFormat?: PixelFormat;
  /** 'mmap' (default: zero copy, acquire()/publish()) or 'write' (one write() per frame). */
  io?: IoMethod;
  /** Number of device buffers for mmap io; default 4. */
  buffers?: number;
}

const OPTION_KEYS = ['device', 'label', 'create', 'width', 'height', 'fps', 'format', 'nativeFormat', 'io', 'buffers'] as const;

export class VirtualCamera {
  /** Path of the output node frames go to. */
  readonly device: string;
  /** The loopback device, when the control device could describe it. */
  readonly info: LoopbackDevice | undefined;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
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
    fps: number;
    format: PixelFormat;
    created: boolean;
  }) {
    this.#b = init.b;
    this.#out = init.out;
    this.device = init.out.path;
    this.info = init.info;
    this.width = init.width;
    this.height = init.height;
    this.fps = init.fps;
    this.format = init.format;
    this.nativeFourcc = fourccToString(init.out.format.pixelformat);
    this.#pacer = new Pacer(init.fps);
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
    const fps = o.fps === undefined ? 30 : checkNumber('fps', o.fps, 0.01, 1000);
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

    const b = native();
    let info: LoopbackDevice | undefined;
    let created = false;
    if (o.create) {
      info = await add(typeof o.create === 'object' ? o.create : {});
      created = true;
    } else if (o.device !== undefined || o.label !== undefined) {
      info = await query((o.device ?? o.label)!);
    }
    try {
      const candidates = info ? [info] : await list();
      if (candidates.length === 0) {
        throw new CodedError('ERR_DEVICE_NOT_FOUND', 'No v4l2loopback device exists: create one with add() or VirtualCamera.open({ create: true, ... })');
      }
      const errors: Error[] = [];
      for (const dev of candidates) {
        try {
          const out = await openOutput(b, dev.path, width, height, nativeFormat, fps, io);
          out.setup(buffers);
          return new VirtualCamera({ b, out, info: dev, width, height, fps, format, created });
        } catch (err) {
          if (info) throw err;
          errors.push(err as Error);
        }
      }
      throw new CodedError('ERR_DEVICE_NOT_FOUND', `No loopback device accepted ${width}x${height} ${nativeFormat}:\n${errors.map((e) => `  ${e.message}`).join('\n')}`);
    } catch (err) {
      if (created && info) await remove(info.nr).catch(() => undefined);
      throw err;
    }
  }

  /** The library name of the device's format, if it has one ('i420'), else the fourcc. */
  get nativeFormat(): PixelFormat | string {
    return formatOfFourcc(this.nativeFourcc) ?? this.nativeFourcc;
  }

  get framesSent(): number {
    return this.#framesSent;
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
   * Sends one frame: a Uint8Array (or Buffer) of exactly frameBytes in
   * `format`. Checks are synchronous (TypeError/RangeError); the returned
   * promise settles when the frame is queued on the device. When no earlier
   * send() is still waiting and the device has a free buffer, the frame is
   * queued before send() returns (an already settled promise).
   */
  send(frame: Uint8Array): Promise<void> {
    this.#check();
    if (!(frame instanceof Uint8Array)) throw invalidParameter('frame', 'Uint8Array or Buffer', frame);
    if (frame.byteLength !== this.#frameBytes) {
      throw new RangeError(
        `Expected frame of ${this.#frameBytes} bytes (${this.width}x${this.height} ${this.format}) but received ${frame.byteLength} bytes`,
      );
    }
    if (this.#acquired) throw new CodedError('ERR_BUFFER_ACQUIRED', 'publish() the acquired buffer before send()');
    if (this.#pending > 0) return this.#later(() => this.#send(frame));
    const out = this.#out;
    try {
      if (out.io === 'mmap') {
        const buf = out.streaming ? out.tryAcquire() : undefined;
        if (!buf) return this.#later(() => this.#send(frame));
        this.#fill(frame, buf);
        out.queue(buf);
      } else {
        const data = this.#sameLayout ? frame : this.#convertToScratch(frame);
        if (!out.tryWrite(data)) return this.#later(() => this.#write(data));
      }
    } catch (err) {
      return Promise.reject(err);
    }
    this.#sent();
    return RESOLVED;
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

  /** Sleeps until the next frame is due at `fps`, without drift. */
  nextFrame(): Promise<void> {
    this.#check();
    return this.#pacer.next();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#sending;
    await this.#out.close();
    if (this.#created && this.info) await remove(this.info.nr);
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
  fps: number,
  io: IoMethod,
): Promise<OutputStream> {
  const fd = await openDevice(path);
  try {
    const cap = call(path, () => b.querycap(fd));
    if (cap.driver !== 'v4l2 loopback') throw new CodedError('ERR_NOT_LOOPBACK', `${path} is not a v4l2loopback device (driver '${cap.driver}')`);
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
    const f = fps === Math.round(fps) ? { n: fps, d: 1 } : { n: Math.round(fps * 1000), d: 1000 };
    try {
      call(path, () => b.setParm(fd, type, f.d, f.n));
    } catch {
      /* fps is a hint, as in pyvirtualcam */
    }
    return new OutputStream(b, fd, path, fmt, io);
  } catch (err) {
    await closeDevice(fd);
    throw err;
  }
}
