// mmap.test.ts - MappedBuffer semantics on a regular file (V4L2 buffers
// behave the same way): the ArrayBuffer is the mapping, writes are shared,
// munmap() detaches it to zero length, the GC finalizer unmaps forgotten ones.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addon, tempFile, thrown } from './helpers.js';

const root = join(import.meta.dirname, '..', '..', '..');

function pattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + 3) & 0xff;
  return b;
}

describe('mmap() and munmap()', () => {
  it('maps the file shared, writable, and unmap detaches the buffer and its views', () => {
    const data = pattern(8192);
    const f = tempFile(data);
    try {
      const ab = addon.mmap(f.fd, 8192, 0, true);
      expect(ab).toBeInstanceOf(ArrayBuffer);
      expect(ab.byteLength).toBe(8192);
      const view = new Uint8Array(ab);
      expect(Buffer.from(view).equals(data)).toBe(true);
      view[10] = 0xab;
      view.fill(0x5a, 4096, 4100);
      const onDisk = readFileSync(f.path);
      expect(onDisk[10]).toBe(0xab);
      expect([...onDisk.subarray(4096, 4100)]).toEqual([0x5a, 0x5a, 0x5a, 0x5a]);

      expect(addon.munmap(ab)).toBe(true);
      expect(ab.byteLength).toBe(0);
      expect(view.byteLength).toBe(0);
      expect(view.length).toBe(0);
      expect(view[10]).toBeUndefined(); // reads nothing, never the unmapped page
      view[10] = 1; // a no-op on a detached buffer, not a crash
      expect(addon.munmap(ab)).toBe(false);
    } finally {
      f.close();
    }
  });

  it('maps read-only at a page offset', () => {
    const data = pattern(3 * 4096);
    const f = tempFile(data);
    try {
      const ab = addon.mmap(f.fd, 4096, 4096, false);
      expect(Buffer.from(ab).equals(data.subarray(4096, 8192))).toBe(true);
      expect(addon.munmap(ab)).toBe(true);
    } finally {
      f.close();
    }
  });

  it('refuses a range past the end of a file (it would raise SIGBUS)', () => {
    const f = tempFile(pattern(4096));
    try {
      expect(thrown(() => addon.mmap(f.fd, 8192, 0, true))).toBeInstanceOf(RangeError);
      expect(thrown(() => addon.mmap(f.fd, 4096, 4096, true))).toBeInstanceOf(RangeError);
    } finally {
      f.close();
    }
  });

  it('munmap() only unmaps what mmap() returned', () => {
    const f = tempFile(pattern(4096));
    try {
      const ab = addon.mmap(f.fd, 4096, 0, false);
      expect(addon.munmap(new ArrayBuffer(4096))).toBe(false);
      expect(addon.munmap(ab.slice(0))).toBe(false); // a copy
      expect(thrown(() => addon.munmap(new Uint8Array(ab) as never))).toBeInstanceOf(TypeError);
      expect(ab.byteLength).toBe(4096);
      expect(addon.munmap(ab)).toBe(true);
    } finally {
      f.close();
    }
  });

  it('the GC unmaps mappings that were never unmapped', () => {
    // In a child with --expose-gc: map a file 200 times, drop the buffers,
    // collect, and count the file's lines in /proc/self/maps.
    const addonPath = (createRequire(import.meta.url)('node-gyp-build') as { path(dir: string): string }).path(root);
    const f = tempFile(pattern(4096));
    try {
      const script = `
        const b = require(${JSON.stringify(addonPath)});
        const fs = require('node:fs');
        const count = () => fs.readFileSync('/proc/self/maps', 'utf8').split('\\n').filter((l) => l.includes(${JSON.stringify(f.path)})).length;
        const fd = fs.openSync(${JSON.stringify(f.path)}, 'r');
        let keep = [];
        for (let i = 0; i < 200; i++) keep.push(b.mmap(fd, 4096, 0, false));
        const before = count();
        keep = null;
        setTimeout(() => {
          globalThis.gc();
          setTimeout(() => {
            globalThis.gc();
            console.log(JSON.stringify({ before, after: count() }));
          }, 50);
        }, 10);
      `;
      const out = execFileSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 30_000 });
      const { before, after } = JSON.parse(out) as { before: number; after: number };
      expect(before).toBeGreaterThanOrEqual(100); // adjacent mappings may merge
      expect(after).toBe(0);
    } finally {
      f.close();
    }
  });
});
