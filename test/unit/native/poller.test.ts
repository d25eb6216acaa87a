// poller.test.ts - fd readiness through uv_poll on a pipe: callbacks when
// the fd becomes readable or writable, stop/close, errors from epoll, the
// TypeScript Poller on top, and that an idle poller never holds the loop.
import { execFileSync } from 'node:child_process';
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Poller } from '../../../src/poller.js';
import { addon, fifo, tempFile, thrown, type TempFd } from './helpers.js';

const { READABLE, WRITABLE, PRIORITIZED } = addon.pollEvents;
let pipe: TempFd;

beforeEach(() => {
  pipe = fifo();
});

afterEach(() => {
  pipe.close();
});

/** Resolves with the first callback's arguments, or 'timeout'. */
function nextCallback(calls: [number, number][], ms: number): Promise<[number, number] | 'timeout'> {
  const start = calls.length;
  return new Promise((resolve) => {
    const t0 = Date.now();
    const check = () => {
      if (calls.length > start) resolve(calls[start]!);
      else if (Date.now() - t0 > ms) resolve('timeout');
      else setTimeout(check, 5);
    };
    check();
  });
}

describe('the native poller', () => {
  it('calls back when the pipe becomes readable, and not before', async () => {
    const calls: [number, number][] = [];
    const h = addon.pollerCreate(pipe.fd, (status, events) => {
      calls.push([status, events]);
      addon.pollerStop(h);
    });
    try {
      addon.pollerStart(h, READABLE);
      expect(await nextCallback(calls, 100)).toBe('timeout');
      writeSync(pipe.fd, 'x');
      expect(await nextCallback(calls, 2000)).toEqual([0, READABLE]);
      // level-triggered: still unread, so a new start fires again
      addon.pollerStart(h, READABLE | PRIORITIZED);
      expect(await nextCallback(calls, 2000)).toEqual([0, READABLE]);
    } finally {
      addon.pollerClose(h);
    }
  });

  it('reports writable at once on an empty pipe', async () => {
    const calls: [number, number][] = [];
    const h = addon.pollerCreate(pipe.fd, (status, events) => {
      calls.push([status, events]);
      addon.pollerStop(h);
    });
    try {
      addon.pollerStart(h, WRITABLE);
      expect(await nextCallback(calls, 2000)).toEqual([0, WRITABLE]);
    } finally {
      addon.pollerClose(h);
    }
  });

  it('stop() silences it and close() is final (and idempotent)', async () => {
    const calls: [number, number][] = [];
    const h = addon.pollerCreate(pipe.fd, (status, events) => calls.push([status, events]));
    addon.pollerStart(h, READABLE);
    addon.pollerStop(h);
    writeSync(pipe.fd, 'x');
    expect(await nextCallback(calls, 100)).toBe('timeout');
    addon.pollerClose(h);
    addon.pollerClose(h);
    addon.pollerStop(h);
    expect(() => addon.pollerStart(h, READABLE)).toThrow('Poller is closed');
  });

  it('refuses event masks it does not know', () => {
    const h = addon.pollerCreate(pipe.fd, () => undefined);
    try {
      expect(thrown(() => addon.pollerStart(h, 0))).toBeInstanceOf(RangeError);
      expect(thrown(() => addon.pollerStart(h, 1024))).toBeInstanceOf(RangeError);
      expect(thrown(() => addon.pollerStart(h, -1))).toBeInstanceOf(TypeError);
    } finally {
      addon.pollerClose(h);
    }
  });

  it('fails start() with epoll errors: EBADF for a closed fd, EPERM for a regular file', () => {
    const f = tempFile(Buffer.alloc(1));
    const bad = addon.pollerCreate(999_999, () => undefined);
    const file = addon.pollerCreate(f.fd, () => undefined);
    try {
      expect(thrown(() => addon.pollerStart(bad, READABLE))).toMatchObject({ code: 'EBADF', errno: -9, syscall: 'epoll_ctl' });
      expect(thrown(() => addon.pollerStart(file, READABLE))).toMatchObject({ code: 'EPERM', errno: -1, syscall: 'epoll_ctl' });
    } finally {
      addon.pollerClose(bad);
      addon.pollerClose(file);
      f.close();
    }
  });

  it('keeps its callback alive across garbage collections while stopped, and is itself collectable', () => {
    // Regression: the callback was only weakly held while the poller was
    // stopped; a GC between create and start dropped it, and the wake-up
    // was lost (Capture.read() hung after a burst of garbage).
    const addonPath = (createRequire(import.meta.url)('node-gyp-build') as { path(dir: string): string }).path(join(import.meta.dirname, '..', '..', '..'));
    const script = `
      const b = require(${JSON.stringify(addonPath)});
      const fs = require('node:fs');
      const fd = fs.openSync(${JSON.stringify(pipe.path)}, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
      const collected = [];
      const registry = new FinalizationRegistry((what) => collected.push(what));
      const make = () => b.pollerCreate(fd, () => { console.log('callback'); b.pollerClose(h); });
      const h = make();
      (() => { registry.register(b.pollerCreate(fd, () => {}), 'abandoned'); })();
      (async () => {
        for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
        console.log('collected: ' + collected.join(','));
        b.pollerStart(h, b.pollEvents.WRITABLE);
        setTimeout(() => { console.log('no callback'); b.pollerClose(h); }, 2000).unref();
      })();
    `;
    const out = execFileSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    expect(out.trim().split('\n')).toEqual(['collected: abandoned', 'callback']);
  });

  it('an idle or stopped poller does not keep the process alive', () => {
    const addonPath = (createRequire(import.meta.url)('node-gyp-build') as { path(dir: string): string }).path(join(import.meta.dirname, '..', '..', '..'));
    const script = `
      const b = require(${JSON.stringify(addonPath)});
      const fs = require('node:fs');
      const fd = fs.openSync(${JSON.stringify(pipe.path)}, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
      const idle = b.pollerCreate(fd, () => {});
      const stopped = b.pollerCreate(fd, () => {});
      b.pollerStart(stopped, b.pollEvents.READABLE);
      setTimeout(() => { b.pollerStop(stopped); console.log('stopped'); }, 50);
    `;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
    expect(out.trim()).toBe('stopped');
  });
});

describe('the Poller class', () => {
  it('wait() resolves when the fd is ready', async () => {
    const p = new Poller(pipe.fd, addon);
    try {
      const waiting = p.wait('readable');
      await sleep(20);
      writeSync(pipe.fd, 'y');
      expect(await waiting).toBe(READABLE);
    } finally {
      p.close();
    }
  });

  it('one wait at a time; close() rejects the pending wait with ERR_CLOSED', async () => {
    const p = new Poller(pipe.fd, addon);
    const waiting = p.wait('readable');
    await expect(p.wait('readable')).rejects.toThrow('already waiting');
    p.close();
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    await expect(p.wait('writable')).rejects.toThrow('closed');
  });

  it('listen() calls back on every readiness until stop()', async () => {
    const p = new Poller(pipe.fd, addon);
    const seen: number[] = [];
    const buf = Buffer.alloc(8);
    try {
      p.listen(['readable'], (events) => {
        seen.push(events);
        addon.read(pipe.fd, buf); // drain
      });
      for (let i = 0; i < 3; i++) {
        writeSync(pipe.fd, 'z');
        const n = seen.length;
        for (let t = 0; t < 200 && seen.length === n; t++) await sleep(5);
      }
      expect(seen).toEqual([READABLE, READABLE, READABLE]);
      p.stop();
      writeSync(pipe.fd, 'z');
      await sleep(50);
      expect(seen.length).toBe(3);
    } finally {
      p.close();
    }
  });
});
