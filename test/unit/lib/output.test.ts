// output.test.ts - OutputStream, the producer's buffer bookkeeping, against
// a fake addon that models the driver's queue: buffers are lent as the same
// object per index, the first queue() asks for start(), a full queue takes
// a returned buffer back in the same call (so the next acquire needs no
// DQBUF of its own), an empty queue waits on the poller, and native errors
// name the device.
import { closeSync, openSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { V4l2Error } from '../../../src/errors.js';
import type { NativeBinding, NativePixFormat } from '../../../src/native.js';
import { type OutputBuffer, OutputStream } from '../../../src/output.js';

const FORMAT: NativePixFormat = { width: 4, height: 2, pixelformat: 0x56595559, field: 1, bytesperline: 8, sizeimage: 16, colorspace: 0 };
const OUT = 2;

/** The driver side: which buffers are queued, which were handed back, and the calls made. */
class FakeDriver {
  queued: number[] = [];
  done: number[] = [];
  calls: string[] = [];
  streaming = false;
  wake: ((status: number, events: number) => void) | undefined;
  polling = false;
  failQbuf = false;

  /** The driver finishes every queued buffer (its work item ran). */
  complete(): void {
    this.done.push(...this.queued);
    this.queued = [];
  }

  binding(): NativeBinding {
    const fake: Partial<NativeBinding> = {
      constants: { V4L2_BUF_TYPE_VIDEO_OUTPUT: OUT },
      pollEvents: { READABLE: 1, WRITABLE: 2, DISCONNECT: 4, PRIORITIZED: 8 },
      pollerCreate: (_fd, cb) => {
        this.wake = cb;
        return {} as ReturnType<NativeBinding['pollerCreate']>;
      },
      pollerStart: () => {
        this.polling = true;
      },
      pollerStop: () => {
        this.polling = false;
      },
      pollerClose: () => {
        this.polling = false;
      },
      reqbufs: (_fd, _type, count) => Math.min(count, 3),
      querybuf: (_fd, _type, index) => ({ index, type: OUT, bytesused: 0, flags: 0, field: 1, sequence: 0, timestampUs: 0, length: 32, offset: index * 4096 }),
      mmap: (_fd, length) => new ArrayBuffer(length),
      munmap: () => true,
      qbufIndex: (_fd, _type, index, bytesused, reclaim) => {
        this.calls.push(`qbuf ${index} ${bytesused}${reclaim ? ' reclaim' : ''}`);
        if (this.failQbuf) throw Object.assign(new Error('EINVAL: invalid argument'), { errno: -22, code: 'EINVAL', syscall: 'ioctl', ioctl: 'VIDIOC_QBUF' });
        this.queued.push(index);
        return reclaim ? (this.done.shift() ?? -1) : -1;
      },
      dqbufIndex: () => {
        this.calls.push('dqbuf');
        return this.done.shift() ?? -1;
      },
      streamOn: async () => {
        this.calls.push('streamon');
        this.streaming = true;
        return 0;
      },
      streamOff: async () => {
        this.calls.push('streamoff');
        return 0;
      },
    };
    return fake as NativeBinding;
  }
}

let fds: number[] = [];
afterEach(() => {
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {
      /* closed by the stream */
    }
  }
  fds = [];
});

function stream(): { out: OutputStream; driver: FakeDriver } {
  const driver = new FakeDriver();
  const fd = openSync('/dev/null', 'r');
  fds.push(fd);
  const out = new OutputStream(driver.binding(), fd, '/dev/video7', FORMAT, 'mmap');
  out.setup(4);
  return { out, driver };
}

describe('OutputStream', () => {
  it('lends one frozen OutputBuffer per device buffer, a view of sizeimage bytes', () => {
    const { out } = stream();
    expect(out.bufferCount).toBe(3);
    const seen = new Map<number, OutputBuffer>();
    for (let i = 0; i < 3; i++) {
      const b = out.tryAcquire()!;
      expect(Object.isFrozen(b)).toBe(true);
      expect(b.data.byteLength).toBe(FORMAT.sizeimage);
      expect(b.bytesperline).toBe(8);
      seen.set(b.index, b);
      out.release(b);
      expect(out.tryAcquire()).toBe(b); // the same object comes back
      out.release(b);
      out.tryAcquire();
    }
    expect([...seen.keys()].sort()).toEqual([0, 1, 2]);
    expect(out.tryAcquire()).toBeUndefined(); // all lent, not streaming: nothing to dequeue
  });

  it('asks for start() after the first queue(), then streams', async () => {
    const { out, driver } = stream();
    const b = out.tryAcquire()!;
    expect(out.queue(b)).toBe(false);
    await out.start();
    await out.start();
    expect(out.streaming).toBe(true);
    expect(out.queue(out.tryAcquire()!, 10)).toBe(true);
    expect(driver.calls).toEqual([`qbuf ${b.index} 16`, 'streamon', expect.stringMatching(/^qbuf \d 10$/)]);
  });

  it('takes a returned buffer back within queue() once none is free, so acquire needs no DQBUF', async () => {
    const { out, driver } = stream();
    await out.publish(out.tryAcquire()!);
    out.queue(out.tryAcquire()!); // one is still free: no reclaim
    expect(driver.calls.filter((c) => c.includes('reclaim'))).toEqual([]);
    driver.complete();
    const last = out.tryAcquire()!;
    driver.calls = [];
    expect(out.queue(last)).toBe(true); // nothing free now: reclaim
    expect(driver.calls).toEqual([`qbuf ${last.index} 16 reclaim`]);
    const next = out.tryAcquire();
    expect(next).toBeDefined();
    expect(driver.calls).toHaveLength(1); // no dqbuf
  });

  it('dequeues when nothing is free, and waits on the poller when the driver has nothing back', async () => {
    const { out, driver } = stream();
    const order: number[] = [];
    for (let i = 0; i < 3; i++) {
      const b = out.tryAcquire()!;
      order.push(b.index);
      await out.publish(b);
    }
    expect(out.tryAcquire()).toBeUndefined();
    const pending = out.acquire();
    await Promise.resolve();
    expect(driver.polling).toBe(true);
    driver.complete();
    driver.wake!(0, 2);
    const b = await pending;
    expect(b.index).toBe(order[0]); // the oldest queued buffer
    expect(driver.polling).toBe(false);
  });

  it('names the device in native errors and refuses calls after close()', async () => {
    const { out, driver } = stream();
    driver.failQbuf = true;
    const b = out.tryAcquire()!;
    let err: unknown;
    try {
      out.queue(b);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(V4l2Error);
    expect(err).toMatchObject({ code: 'EINVAL', ioctl: 'VIDIOC_QBUF', path: '/dev/video7' });
    await out.close();
    expect(() => out.tryAcquire()).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }));
    expect(() => out.queue(b)).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }));
    await expect(out.acquire()).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });
});
