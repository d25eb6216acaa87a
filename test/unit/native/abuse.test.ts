// abuse.test.ts - calling the addon with wrong arguments (node-usb's "should
// handle abuse without crashing"): every export throws a TypeError or
// RangeError naming the argument, or an errno error from the kernel, and the
// process survives. A crash here kills the vitest fork and fails the file.
import { describe, expect, it } from 'vitest';
import { addon, thrown, useNonV4l2Fds } from './helpers.js';

const BAD: readonly unknown[] = [
  undefined,
  null,
  {},
  [],
  '3',
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 31,
  2 ** 53,
  1e300,
  10n,
  Symbol('x'),
  () => 3,
  new Uint8Array(4),
];

const fns = Object.entries(addon as unknown as Record<string, unknown>).filter(
  (e): e is [string, (...args: unknown[]) => unknown] => typeof e[1] === 'function',
);

const fd = useNonV4l2Fds().nullFd;

function expectArgError(err: unknown, what: string): void {
  expect(err, what).toBeInstanceOf(Error);
  expect(err instanceof TypeError || err instanceof RangeError, `${what}: ${String(err)}`).toBe(true);
}

describe('wrong first argument', () => {
  it('has functions to abuse', () => {
    expect(fns.length).toBeGreaterThan(30);
  });

  for (const [name, fn] of fns) {
    it(`${name}() throws a TypeError for every bad first argument, and for none`, () => {
      expectArgError(thrown(() => fn()), `${name}()`);
      for (const bad of BAD) {
        // a Uint8Array is a fine first argument for the byte-taking calls
        if (bad instanceof Uint8Array && (name === 'convert' || name === 'scaleArgb')) continue;
        const err = thrown(() => fn(bad));
        expect(err, `${name}(${String(bad)})`).toBeInstanceOf(TypeError);
      }
      expectArgError(thrown(() => Reflect.apply(fn, {}, [])), `${name} with this = {}`);
      expectArgError(thrown(() => Reflect.construct(fn, [])), `new ${name}()`);
    });
  }
});

describe('bad later arguments on a valid fd', () => {
  // The fd is /dev/null: whatever passes the checks fails in the kernel with
  // an errno error (ENOTTY). Either way: an Error, never a crash.
  for (const [name, fn] of fns) {
    it(`${name}(fd, ...) with junk throws an Error or rejects`, async () => {
      for (const bad of BAD) {
        for (let n = 1; n <= 8; n++) {
          const args = [fd(), ...Array.from({ length: n }, () => bad)];
          let result: unknown;
          try {
            result = fn(...args);
          } catch (err) {
            expect(err, `${name}(fd, ${String(bad)} x${n})`).toBeInstanceOf(Error);
            continue;
          }
          if (result instanceof Promise) {
            await expect(result, `${name}(fd, ${String(bad)} x${n})`).rejects.toBeInstanceOf(Error);
          }
        }
      }
    });
  }
});

describe('pointed messages', () => {
  it('name the argument', () => {
    expect(() => addon.querycap(undefined as never)).toThrow('Expected integer for fd');
    expect(() => addon.querycap(-1)).toThrow('Expected integer in range for fd');
    expect(() => addon.setFormat(fd(), 2, 'x' as never)).toThrow('Expected object for format');
    expect(() => addon.setFormat(fd(), 2, { width: -1 })).toThrow('Expected integer in range for width');
    expect(() => addon.setFormat(fd(), 2, { width: 2 ** 40 })).toThrow(TypeError);
    expect(() => addon.setFormat(fd(), 9, {})).toThrow(RangeError);
    expect(() => addon.getParm(fd(), 0)).toThrow(RangeError);
    expect(() => addon.write(fd(), 'text' as never)).toThrow('Expected Buffer, TypedArray or ArrayBuffer for data');
    expect(() => addon.qbuf(fd(), 2, 0, 0, -5)).toThrow('timestampUs must not be negative');
    expect(() => addon.qbufIndex(fd(), 2, 0, 100, 1 as never)).toThrow('Expected boolean for reclaim');
    expect(() => addon.qbufIndex(fd(), 2, 0, -1, true)).toThrow('Expected integer in range for bytesused');
    expect(() => addon.setControl(fd(), 1, 2 ** 60)).toThrow('Expected integer in range for value');
    expect(() => addon.ctlAdd(fd(), 5 as never)).toThrow('Expected object for config');
    expect(() => addon.ctlAdd(fd(), { label: 'x'.repeat(40) })).toThrow('label is longer than 32 bytes');
    expect(() => addon.ctlAdd(fd(), { outputNr: 'a' as never })).toThrow('Expected integer in range for outputNr');
    expect(() => addon.ctlAdd(fd(), { label: 5 as never })).toThrow('Expected string for label');
    expect(() => addon.mmap(fd(), 0, 0, true)).toThrow('length must be positive');
    expect(() => addon.mmap(fd(), 4096, 0, 'yes' as never)).toThrow('Expected boolean for writable');
    expect(() => addon.pollerStart({} as never, 1)).toThrow('Expected a poller handle');
  });

  it('getters that throw propagate their own error', () => {
    const evil = {
      get width(): number {
        throw new Error('boom from a getter');
      },
    };
    expect(() => addon.setFormat(fd(), 2, evil)).toThrow('boom from a getter');
    const proxy = new Proxy({}, { get: () => { throw new RangeError('proxy says no'); } });
    expect(() => addon.ctlAdd(fd(), proxy)).toThrow('proxy says no');
  });

  it('objects that only look like numbers are refused', () => {
    expect(() => addon.setFormat(fd(), 2, { width: { valueOf: () => 640 } as never })).toThrow(TypeError);
    expect(() => addon.getFormat(fd(), new Number(1) as never)).toThrow(TypeError);
  });
});

describe('convert() and scaleArgb() bounds', () => {
  const fcc = (s: string) => Buffer.from(s, 'latin1').readUInt32LE(0);
  const RGB3 = fcc('RGB3');
  const YUYV = fcc('YUYV');
  const YU12 = fcc('YU12');

  it('refuse buffers too small for the size', () => {
    expect(() => addon.convert(Buffer.alloc(10), RGB3, 0, Buffer.alloc(8 * 8 * 2), YUYV, 0, 8, 8)).toThrow(
      'Expected at least 192 bytes for src but received 10',
    );
    expect(() => addon.convert(Buffer.alloc(192), RGB3, 0, Buffer.alloc(10), YUYV, 0, 8, 8)).toThrow(RangeError);
    expect(() => addon.convert(Buffer.alloc(192), RGB3, 0, Buffer.alloc(95), YU12, 0, 8, 8)).toThrow(RangeError);
  });

  it('refuse sizes, strides and formats out of range', () => {
    const src = Buffer.alloc(1 << 16);
    const dst = Buffer.alloc(1 << 16);
    expect(() => addon.convert(src, RGB3, 0, dst, YUYV, 0, 0, 8)).toThrow('width and height must be in 1..16384');
    expect(() => addon.convert(src, RGB3, 0, dst, YUYV, 0, 16385, 1)).toThrow(RangeError);
    expect(() => addon.convert(src, RGB3, 0, dst, YUYV, 0, 7, 8)).toThrow("Format 'YUYV' needs an even width");
    expect(() => addon.convert(src, RGB3, 0, dst, YU12, 0, 8, 7)).toThrow("Format 'YU12' needs an even height");
    expect(() => addon.convert(src, RGB3, 5, dst, YUYV, 0, 8, 8)).toThrow('Stride of src is smaller than a row');
    expect(() => addon.convert(src, RGB3, 2 ** 31, dst, YUYV, 0, 8, 8)).toThrow(RangeError);
    expect(() => addon.convert(src, fcc('H264'), 0, dst, YUYV, 0, 8, 8)).toThrow("Unsupported pixel format 'H264' for src");
  });

  it('a detached buffer reads as empty', () => {
    const ab = new ArrayBuffer(192);
    const view = new Uint8Array(ab);
    structuredClone(ab, { transfer: [ab] });
    expect(ab.byteLength).toBe(0);
    expect(() => addon.convert(view, RGB3, 0, Buffer.alloc(128), YUYV, 0, 8, 8)).toThrow(RangeError);
    expect(() => addon.convert(ab, RGB3, 0, Buffer.alloc(128), YUYV, 0, 8, 8)).toThrow(RangeError);
  });

  it('accept a DataView and an offset view', () => {
    const big = Buffer.alloc(200);
    const view = new DataView(big.buffer, big.byteOffset + 8, 192);
    const out = Buffer.alloc(128);
    addon.convert(view, RGB3, 0, out.subarray(0), YUYV, 0, 8, 8);
    expect(out[0]).toBe(16); // black
  });

  it('scaleArgb refuses bad sizes and small buffers', () => {
    expect(() => addon.scaleArgb(new Uint8Array(16), 0, 2, new Uint8Array(16), 2, 2)).toThrow(RangeError);
    expect(() => addon.scaleArgb(new Uint8Array(15), 2, 2, new Uint8Array(16), 2, 2)).toThrow('Buffer too small');
    expect(() => addon.scaleArgb(new Uint8Array(16), 2, 2, new Uint8Array(16), 40000, 2)).toThrow(RangeError);
  });
});
