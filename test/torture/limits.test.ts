// limits.test.ts - torture scenario 8, memory bounds: with max_memory_mb=64,
// requests that cannot fit a device's budget (8192x8192 frames, REQBUFS and
// CREATE_BUFS with huge counts or sizeimage up to U32_MAX, write() of a frame
// larger than the budget, several consumers together) fail with ENOMEM or
// EINVAL or get fewer buffers (V4L2 lets the driver grant fewer), never more
// than the budget, max_buffers or RAM/4 allow; the kernel log stays clean
// (setup.ts) and the device streams normally afterwards. A full queue
// answers CREATE_BUFS with ENOBUFS, as videobuf2 itself does at its limit.
// Buffers still mapped after REQBUFS(0) are freed on munmap (docs/kmod.md);
// a buffer exported as a dma-buf outlives its device, and one queued into
// a plane longer than itself is refused without leaking it.
import { afterAll, describe, expect, it } from 'vitest';
import { loadModule, moduleLoaded, runOk, unloadModule } from '../guest/helpers/kernel.js';
import { consume, prog, readJson, startProducer, waitForProducer } from '../guest/helpers/kmod.js';
import { addDevice, ctlio, EINVAL, ENOBUFS, ENOMEM } from './helpers/ctl.js';
import { moduleVmalloc } from './helpers/memory.js';
import { scaled } from './helpers/mode.js';

const BUDGET = 64 * 1024 * 1024;
const FRAME_1080P = 1920 * 1080 * 4;
const FRAME_8K = 8192 * 8192 * 4;

interface Case {
  errno: number;
  count?: number;
  [k: string]: number | undefined;
}

async function limits(mode: string, args: readonly string[]): Promise<Record<string, Case>> {
  const r = await runOk(await prog('v4l2l-limits'), [mode, ...args], { timeoutMs: 300_000 });
  return readJson<Record<string, Case>>(r.stdout);
}

function pick(cases: Record<string, Case>, name: string): Case {
  const c = cases[name];
  if (!c) throw new Error(`no case ${name}: ${JSON.stringify(cases)}`);
  return c;
}

/** the device still works: a producer's frames reach a consumer whole */
async function expectStreams(out: number, cap: number): Promise<void> {
  const producer = await startProducer(out, { size: '320x240', fps: 30, mmap: true });
  try {
    await waitForProducer(out);
    const r = await consume(cap, { frames: 15 });
    expect(r.error, JSON.stringify(r)).toBeUndefined();
    expect(r).toMatchObject({ frames: 15, torn: 0, unstamped: 0, bytesMismatch: 0 });
  } finally {
    await producer.stop();
  }
}

describe('memory limits (max_memory_mb=64)', () => {
  afterAll(async () => {
    if (!moduleLoaded()) await loadModule();
  });

  it('oversize frames, counts and sizeimage: ENOMEM/EINVAL or clamped within the budget', async () => {
    await loadModule({ devices: 0, max_memory_mb: 64 });
    const { out, cap } = await addDevice(['capture_nr=-2']);
    const c = await limits('single', ['-o', `/dev/video${out}`, '-c', `/dev/video${cap}`]);
    const k = (name: string) => pick(c, name);

    // formats are adjusted, not refused; the 256 MiB frame cannot get buffers
    expect(k('fmt_8k')).toEqual({ errno: 0, width: 8192, height: 8192, sizeimage: FRAME_8K });
    expect(k('reqbufs_8k').errno).toBe(ENOMEM);
    expect(k('reqbufs_8k_one').errno).toBe(ENOMEM);
    expect(k('create_bufs_8k').errno).toBe(ENOMEM);
    // a consumer of such frames: read() emulation cannot get buffers either
    expect(k('read_8k').errno).toBe(ENOMEM);
    expect(k('poll_8k').errno).toBe(0);
    expect(k('poll_8k').revents! & 0x008 /* POLLERR */).toBeTruthy();
    expect(k('consumer_reqbufs_8k').errno).toBe(ENOMEM);
    expect(k('write_8k').errno).toBe(ENOMEM);
    expect(k('fmt_2g')).toEqual({ errno: 0, width: 8192, height: 8192 });

    // huge counts are clamped to max_buffers (8) and to what fits: 8 x 7.9 MiB
    expect(k('fmt_1080p')).toEqual({ errno: 0, sizeimage: FRAME_1080P });
    const fit = Math.min(8, Math.floor(BUDGET / FRAME_1080P));
    expect(k('reqbufs_count_u32max')).toEqual({ errno: 0, count: fit });
    expect(k('reqbufs_count_1000')).toEqual({ errno: 0, count: fit });
    expect(k('create_bufs_count_u32max')).toMatchObject({ errno: 0, count: fit, index: 0 });
    // the queue is full now: videobuf2's own errno for that
    expect(k('create_bufs_when_full').errno).toBe(ENOBUFS);
    expect(k('reqbufs_free').errno).toBe(0);

    // sizeimage from CREATE_BUFS: too big for the budget (up to U32_MAX, where
    // page alignment in 32 bits wraps to 0) or too small for the format
    for (const name of ['create_bufs_u32max', 'create_bufs_wraps_page_align', 'create_bufs_2g', 'create_bufs_budget_plus_1']) {
      expect([ENOMEM, EINVAL], name).toContain(k(name).errno);
    }
    expect(k('create_bufs_tiny').errno).toBe(EINVAL);

    // USERPTR memory is the process's own, but the count is bounded too
    expect(k('reqbufs_userptr_u32max')).toEqual({ errno: 0, count: 8 });
    expect(k('qbuf_userptr_bogus').errno).not.toBe(0);

    expect((await moduleVmalloc()).lines, 'nothing left allocated').toEqual([]);
    await expectStreams(out, cap);
    expect((await ctlio(['remove', String(out)])).errno).toBe(0);
  });

  it('a producer and three consumers together: the budget is shared out, then ENOMEM', async () => {
    await loadModule({ devices: 0, max_memory_mb: 64 });
    const { out, cap } = await addDevice(['capture_nr=-2']);
    // a second device has a budget of its own
    const other = await addDevice(['capture_nr=-2']);
    const c = await limits('consumers', ['-o', `/dev/video${out}`, '-c', `/dev/video${cap}`]);
    const k = (name: string) => pick(c, name);
    const s = JSON.stringify(c);

    expect(k('fmt')).toEqual({ errno: 0, sizeimage: FRAME_1080P });
    expect(k('producer_reqbufs'), s).toEqual({ errno: 0, count: 3 });
    expect(k('consumer0_reqbufs'), s).toEqual({ errno: 0, count: 4 });
    // 64 MiB hold 8 such frames: 3 + 4 are taken, 1 more fits (the driver
    // may grant fewer than asked, even fewer than its minimum), then none
    expect(Math.floor(BUDGET / FRAME_1080P)).toBe(8);
    expect(k('consumer1_reqbufs'), s).toEqual({ errno: 0, count: 1 });
    expect(k('consumer2_reqbufs'), s).toEqual({ errno: ENOMEM, count: 0 });
    const total = (k('producer_reqbufs').count! + k('consumer0_reqbufs').count! + k('consumer1_reqbufs').count!) * FRAME_1080P;
    expect(total).toBeLessThanOrEqual(BUDGET);
    // the consumers that got buffers stream and get the frame
    for (const i of [0, 1]) {
      expect(k(`consumer${i}_stream`).errno, s).toBe(0);
      expect(k(`consumer${i}_frame`), s).toEqual({ errno: 0, first: 0x5a });
    }
    expect(k('producer_frame').errno, s).toBe(0);
    // once the second consumer is gone its share is free again
    expect(k('consumer2_reqbufs_after_close'), s).toEqual({ errno: 0, count: 1 });

    // the other device's budget is untouched by all this
    const o = await limits('consumers', ['-o', `/dev/video${other.out}`, '-c', `/dev/video${other.cap}`]);
    expect(pick(o, 'consumer0_reqbufs')).toEqual({ errno: 0, count: 4 });

    await expectStreams(out, cap);
    for (const d of [out, other.out]) expect((await ctlio(['remove', String(d)])).errno).toBe(0);
  });

  it('max_memory_mb=1: the default 640x480 BGR32 frame (1.2 MB) gets no buffer, 320x240 YUYV gets what fits', async () => {
    await loadModule({ devices: 0, max_memory_mb: 1 });
    const { out, cap } = await addDevice(['capture_nr=-2', 'max_buffers=32']);
    const c = await limits('tiny', ['-o', `/dev/video${out}`]);
    const k = (name: string) => pick(c, name);
    expect(k('fmt_default')).toEqual({ errno: 0, sizeimage: 640 * 480 * 4 });
    expect(k('reqbufs_default').errno).toBe(ENOMEM);
    expect(k('fmt_small')).toEqual({ errno: 0, sizeimage: 320 * 240 * 2 });
    // buffers are page-aligned: 6 of 153600 (155648) bytes fit in 1 MiB
    expect(k('reqbufs_small')).toEqual({ errno: 0, count: Math.floor((1 << 20) / 155_648) });
    // a producer with 4 buffers and a consumer with 2 fit as well
    await expectStreams(out, cap);
    expect((await ctlio(['remove', String(out)])).errno).toBe(0);
  });

  it('max_buffers of a device bounds REQBUFS and CREATE_BUFS', async () => {
    await loadModule({ devices: 0, max_memory_mb: 64 });
    const { out, cap } = await addDevice(['capture_nr=-2', 'max_buffers=3']);
    const c = await limits('maxbufs', ['-o', `/dev/video${out}`]);
    const k = (name: string) => pick(c, name);
    expect(k('reqbufs_8')).toEqual({ errno: 0, count: 3 });
    expect(k('create_bufs_beyond').errno).toBe(ENOBUFS);
    // REQBUFS 1 gets the minimum of 2; CREATE_BUFS 100 adds what is left
    expect(k('reqbufs_1')).toEqual({ errno: 0, count: 2 });
    expect(k('create_bufs_100')).toEqual({ errno: 0, count: 1, index: 2 });
    await expectStreams(out, cap);
    expect((await ctlio(['remove', String(out)])).errno).toBe(0);
  });

  const rounds = scaled(3, 8);
  it(`buffers still mapped after REQBUFS(0) (${rounds} rounds) are freed on munmap`, async () => {
    await loadModule({ devices: 0, max_memory_mb: 64 });
    const { out, cap } = await addDevice(['capture_nr=-2']);
    const c = await limits('orphans', ['-o', `/dev/video${out}`, '-n', String(rounds)]);
    const s = JSON.stringify(c);
    for (let i = 0; i < rounds; i++) expect(pick(c, `round${i}`), s).toEqual({ errno: 0, count: 8 });
    const v = pick(c, 'vmalloc');
    // really allocated while mapped, all of it gone after munmap
    expect(v.mapped! - v.before!, s).toBeGreaterThanOrEqual(rounds * 8 * FRAME_1080P);
    expect(v.unmapped, s).toBe(v.before);
    expect((await moduleVmalloc()).lines).toEqual([]);
    await expectStreams(out, cap);
    expect((await ctlio(['remove', String(out)])).errno).toBe(0);
  });

  it('max_memory_mb beyond a quarter of RAM is cut to RAM/4', async () => {
    await loadModule({ devices: 0, max_memory_mb: 1_000_000 });
    const { out, cap } = await addDevice(['capture_nr=-2']);
    const c = await limits('ramcap', ['-o', `/dev/video${out}`]);
    const { readFile } = await import('node:fs/promises');
    const memTotal = Number(/^MemTotal:\s+(\d+)/m.exec(await readFile('/proc/meminfo', 'utf8'))![1]) * 1024;
    const r = pick(c, 'reqbufs_8k_32');
    expect(r.errno).toBe(0);
    expect(r.count! * FRAME_8K, JSON.stringify(c)).toBeLessThanOrEqual(memTotal / 4);
    expect(r.count).toBeGreaterThanOrEqual(1);
    await expectStreams(out, cap);
    expect((await ctlio(['remove', String(out)])).errno).toBe(0);
  });

  it('an exported dma-buf outlives its device and feeds another one', async () => {
    await loadModule({ devices: 0, max_memory_mb: 64 });
    const a = await addDevice(['capture_nr=-2']);
    const b = await addDevice(['capture_nr=-2']);
    const c = await limits('expbuf', ['-o', `/dev/video${a.out}`, '-O', `/dev/video${b.out}`, '-c', `/dev/video${b.cap}`]);
    const k = (name: string) => pick(c, name);
    const s = JSON.stringify(c);
    expect(k('expbuf').errno, s).toBe(0);
    expect(k('dmabuf_mmap').errno, s).toBe(0);
    // the dma-buf holds the memory, not the device: REMOVE works
    expect(k('remove_exporter').errno, s).toBe(0);
    expect(k('dmabuf_mmap_after_remove'), s).toEqual({ errno: 0, first: 0x77 });
    expect(k('consumer').errno, s).toBe(0);
    // vb2 of 6.12 leaked the dma-buf when the allocator refused it (see kmod/v4l2loopback-memops.c)
    expect(k('dmabuf_too_short').errno, s).toBe(EINVAL);
    expect(k('dmabuf_producer').errno, s).toBe(0);
    expect(k('consumer_frame'), s).toEqual({ errno: 0, first: 0x77 });
    expect((await moduleVmalloc()).lines, 'the dma-buf is freed with its last user').toEqual([]);
    await expectStreams(b.out, b.cap);
    expect((await ctlio(['remove', String(b.out)])).errno).toBe(0);

    // and outlives the module
    const a2 = await addDevice(['capture_nr=-2']);
    const b2 = await addDevice(['capture_nr=-2']);
    const u = await limits('expbuf', ['-U', '-o', `/dev/video${a2.out}`, '-O', `/dev/video${b2.out}`, '-c', `/dev/video${b2.cap}`]);
    const su = JSON.stringify(u);
    expect(pick(u, 'remove_exporter').errno, su).toBe(0);
    expect(pick(u, 'rmmod').errno, su).toBe(0);
    expect(moduleLoaded()).toBe(false);
    expect(pick(u, 'dmabuf_mmap_after_rmmod'), su).toEqual({ errno: 0, first: 0x77, last: 0x77 });
    expect((await moduleVmalloc()).lines).toEqual([]);
  });

  it('the module unloads cleanly afterwards', async () => {
    if (!moduleLoaded()) await loadModule({ devices: 0, max_memory_mb: 64 });
    await unloadModule();
    expect(moduleLoaded()).toBe(false);
  });
});
