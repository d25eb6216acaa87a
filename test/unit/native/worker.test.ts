// worker.test.ts - the addon in worker_threads: several workers load it at
// once and use conversions, errno errors and a poller on their own loop; a
// worker terminated with a poller running and a mapping alive takes nothing
// down with it.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addon, fifo, tempFile, type TempFd } from './helpers.js';

const addonPath = (createRequire(import.meta.url)('node-gyp-build') as { path(dir: string): string }).path(
  join(import.meta.dirname, '..', '..', '..'),
);

// CommonJS, run with eval: the worker's own copy of the addon.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const b = require(workerData.addonPath);
const out = {};
const rgb = Buffer.alloc(4 * 2 * 3, 255);
const yuyv = Buffer.alloc(4 * 2 * 2);
b.convert(rgb, 0x33424752, 0, yuyv, 0x56595559, 0, 4, 2);
out.white = [...yuyv.subarray(0, 4)];
const nul = fs.openSync('/dev/null', 'r');
try { b.querycap(nul); } catch (e) { out.error = { code: e.code, errno: e.errno, ioctl: e.ioctl, isError: e instanceof Error }; }
try { b.querycap('x'); } catch (e) { out.typeError = e instanceof TypeError; }
fs.closeSync(nul);
const fd = fs.openSync(workerData.fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
const h = b.pollerCreate(fd, (status, events) => {
  b.pollerStop(h);
  out.poll = [status, events];
  if (workerData.hang) {
    // keep a poller running and a mapping alive, then wait to be terminated
    const map = b.mmap(fs.openSync(workerData.file, 'r'), 4096, 0, false);
    globalThis.keep = [map, b.pollerCreate(fd, () => {})];
    b.pollerStart(globalThis.keep[1], b.pollEvents.WRITABLE);
    parentPort.postMessage(out);
    return;
  }
  b.pollerClose(h);
  fs.closeSync(fd);
  parentPort.postMessage(out);
});
b.pollerStart(h, b.pollEvents.WRITABLE);
`;

function run(workerData: Record<string, unknown>): { worker: Worker; result: Promise<Record<string, unknown>>; exit: Promise<number> } {
  const worker = new Worker(WORKER, { eval: true, workerData: { addonPath, ...workerData } });
  const exit = new Promise<number>((resolve) => worker.once('exit', resolve));
  const result = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker did not answer within 20 s')), 20_000);
    worker.once('message', (m: Record<string, unknown>) => {
      clearTimeout(timer);
      resolve(m);
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  return { worker, result, exit };
}

let pipe: TempFd;
let file: TempFd;

beforeEach(() => {
  pipe = fifo();
  file = tempFile(Buffer.alloc(4096, 1));
});

afterEach(() => {
  pipe.close();
  file.close();
});

describe('worker threads', () => {
  it('three workers load and use the addon at the same time', async () => {
    const runs = [0, 1, 2].map(() => run({ fifo: pipe.path, file: file.path }));
    const results = await Promise.all(runs.map((r) => r.result));
    for (const r of results) {
      expect(r).toEqual({
        white: [235, 128, 235, 128],
        error: { code: 'ENOTTY', errno: -25, ioctl: 'VIDIOC_QUERYCAP', isError: true },
        typeError: true,
        poll: [0, addon.pollEvents.WRITABLE],
      });
    }
    expect(await Promise.all(runs.map((r) => r.exit))).toEqual([0, 0, 0]);
  });

  it('terminating a worker with a running poller and a live mapping is clean', async () => {
    const { worker, result } = run({ fifo: pipe.path, file: file.path, hang: true });
    expect((await result).poll).toEqual([0, addon.pollEvents.WRITABLE]);
    const code = await worker.terminate();
    expect(code).toBe(1);
    // the main thread's addon is unaffected
    const out = Buffer.alloc(4);
    addon.convert(Buffer.alloc(6), 0x33424752, 0, out, 0x56595559, 0, 2, 1);
    expect([...out]).toEqual([16, 128, 16, 128]);
  });
});
