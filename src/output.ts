// output.ts - the producer side of one open output node: write() frames,
// or mmap streaming with buffers the caller fills in place (zero copy).
// Every wait is a Poller wait; nothing blocks a thread. The per-frame calls
// have synchronous try*() forms (tryWrite, tryAcquire, queue) so that a
// producer the device keeps up with never goes through a promise or the
// event loop; only an empty queue waits.
import { closedError, toV4l2Error } from './errors.js';
import { call, callAsync, closeDevice, deviceHint } from './fd.js';
import type { NativeBinding, NativePixFormat } from './native.js';
import { Poller } from './poller.js';

export type IoMethod = 'mmap' | 'write';

/** A device buffer lent to the caller between acquire() and publish(). */
export interface OutputBuffer {
  readonly index: number;
  /** The mapped buffer, sizeimage bytes (writes go straight to the device). */
  readonly data: Uint8Array;
  readonly bytesperline: number;
}

/** What the non-blocking calls return when there is nothing to wait for. */
export const RESOLVED: Promise<void> = Promise.resolve();

export class OutputStream {
  readonly #b: NativeBinding;
  readonly #fd: number;
  readonly path: string;
  readonly format: NativePixFormat;
  readonly io: IoMethod;
  readonly #type: number;
  readonly #poller: Poller;
  #maps: ArrayBuffer[] = [];
  /** One OutputBuffer per device buffer, lent again every time that buffer is free. */
  #bufs: OutputBuffer[] = [];
  #free: number[] = [];
  #streaming = false;
  #closed = false;

  constructor(b: NativeBinding, fd: number, path: string, format: NativePixFormat, io: IoMethod) {
    this.#b = b;
    this.#fd = fd;
    this.path = path;
    this.format = format;
    this.io = io;
    this.#type = b.constants.V4L2_BUF_TYPE_VIDEO_OUTPUT!;
    this.#poller = new Poller(fd, b);
  }

  /** Asks for `count` MMAP buffers and maps them (mmap io only). */
  setup(count: number): void {
    if (this.io !== 'mmap') return;
    const n = call(this.path, () => this.#b.reqbufs(this.#fd, this.#type, count));
    for (let i = 0; i < n; i++) {
      const info = call(this.path, () => this.#b.querybuf(this.#fd, this.#type, i));
      const map = call(this.path, () => this.#b.mmap(this.#fd, info.length, info.offset, true));
      this.#maps.push(map);
      this.#bufs.push(Object.freeze({ index: i, data: new Uint8Array(map, 0, this.format.sizeimage), bytesperline: this.format.bytesperline }));
      this.#free.push(i);
    }
  }

  get bufferCount(): number {
    return this.#maps.length;
  }

  /** True once the first queued buffer started streaming. */
  get streaming(): boolean {
    return this.#streaming;
  }

  /** Writes one whole frame if the device has room now (write io): false when it has none. */
  tryWrite(frame: Uint8Array): boolean {
    if (this.#closed) throw closedError(this.path);
    let n: number | null;
    try {
      n = this.#b.write(this.#fd, frame);
    } catch (err) {
      throw toV4l2Error(err, this.path, deviceHint);
    }
    return n !== null;
  }

  /** Writes one whole frame (write io), waiting while the device has no free buffer. */
  async write(frame: Uint8Array): Promise<void> {
    while (!this.tryWrite(frame)) await this.#poller.wait('writable');
  }

  /**
   * A free device buffer if there is one now (mmap io): one the driver has
   * handed back, or a non-blocking DQBUF. Undefined when all are queued.
   */
  tryAcquire(): OutputBuffer | undefined {
    if (this.#closed) throw closedError(this.path);
    let index = this.#free.pop();
    if (index === undefined) {
      if (!this.#streaming) return undefined;
      try {
        index = this.#b.dqbufIndex(this.#fd, this.#type);
      } catch (err) {
        throw toV4l2Error(err, this.path, deviceHint);
      }
      if (index < 0) return undefined;
    }
    return this.#bufs[index];
  }

  /** A free device buffer to fill, waiting for one if all are queued. */
  async acquire(): Promise<OutputBuffer> {
    for (;;) {
      const buf = this.tryAcquire();
      if (buf) return buf;
      await this.#poller.wait('writable');
    }
  }

  /**
   * Queues a filled buffer. When no buffer is left free, the same native
   * call takes back one the driver has returned meanwhile (the next
   * acquire() needs no call of its own). Returns false before the first
   * start(): the caller must start streaming.
   */
  queue(buf: OutputBuffer, bytesused = this.format.sizeimage): boolean {
    if (this.#closed) throw closedError(this.path);
    const reclaim = this.#streaming && this.#free.length === 0;
    let back: number;
    try {
      back = this.#b.qbufIndex(this.#fd, this.#type, buf.index, bytesused, reclaim);
    } catch (err) {
      throw toV4l2Error(err, this.path, deviceHint);
    }
    if (back >= 0) this.#free.push(back);
    return this.#streaming;
  }

  /** Starts streaming (STREAMON can sleep in the driver: async). */
  async start(): Promise<void> {
    if (this.#streaming) return;
    this.#streaming = true;
    await callAsync(this.path, () => this.#b.streamOn(this.#fd, this.#type));
  }

  /** Queues a filled buffer; the first one starts streaming. */
  async publish(buf: OutputBuffer, bytesused = this.format.sizeimage): Promise<void> {
    if (!this.queue(buf, bytesused)) await this.start();
  }

  /** Gives an acquired buffer back unpublished. */
  release(buf: OutputBuffer): void {
    if (!this.#free.includes(buf.index)) this.#free.push(buf.index);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#poller.close();
    try {
      if (this.#streaming) await callAsync(this.path, () => this.#b.streamOff(this.#fd, this.#type));
    } finally {
      for (const m of this.#maps) this.#b.munmap(m);
      this.#maps = [];
      this.#bufs = [];
      await closeDevice(this.#fd);
    }
  }
}
