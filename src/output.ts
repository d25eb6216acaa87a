// output.ts - the producer side of one open output node: write() frames,
// or mmap streaming with buffers the caller fills in place (zero copy).
// Every wait is a Poller wait; nothing blocks a thread.
import { closedError } from './errors.js';
import { call, callAsync, closeDevice } from './fd.js';
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

export class OutputStream {
  readonly #b: NativeBinding;
  readonly #fd: number;
  readonly path: string;
  readonly format: NativePixFormat;
  readonly io: IoMethod;
  readonly #type: number;
  readonly #poller: Poller;
  #maps: ArrayBuffer[] = [];
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
      this.#maps.push(call(this.path, () => this.#b.mmap(this.#fd, info.length, info.offset, true)));
      this.#free.push(i);
    }
  }

  get bufferCount(): number {
    return this.#maps.length;
  }

  /** Writes one whole frame (write io), waiting while the device has no free buffer. */
  async write(frame: Uint8Array): Promise<void> {
    for (;;) {
      if (this.#closed) throw closedError(this.path);
      const n = call(this.path, () => this.#b.write(this.#fd, frame));
      if (n !== null) return;
      await this.#poller.wait('writable');
    }
  }

  /** A free device buffer to fill, waiting for one if all are queued. */
  async acquire(): Promise<OutputBuffer> {
    for (;;) {
      if (this.#closed) throw closedError(this.path);
      const index = this.#free.pop() ?? this.#dequeue();
      if (index !== undefined) {
        return { index, data: new Uint8Array(this.#maps[index]!, 0, this.format.sizeimage), bytesperline: this.format.bytesperline };
      }
      await this.#poller.wait('writable');
    }
  }

  #dequeue(): number | undefined {
    if (!this.#streaming) return undefined;
    const b = call(this.path, () => this.#b.dqbuf(this.#fd, this.#type));
    return b?.index;
  }

  /** Queues a filled buffer; the first one starts streaming. */
  async publish(buf: OutputBuffer, bytesused = this.format.sizeimage): Promise<void> {
    if (this.#closed) throw closedError(this.path);
    call(this.path, () => this.#b.qbuf(this.#fd, this.#type, buf.index, bytesused));
    if (!this.#streaming) {
      this.#streaming = true;
      await callAsync(this.path, () => this.#b.streamOn(this.#fd, this.#type));
    }
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
      await closeDevice(this.#fd);
    }
  }
}
