// memory.ts - kernel memory readings for the torture suite: /proc/meminfo
// after dropping caches, shrinking the slab caches and letting deferred
// (RCU, workqueue) frees run, plus the vmalloc areas that belong to the
// module under test (its stored frames and its videobuf2 buffers).
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { runOk } from '../../guest/helpers/kernel.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface MemReading {
  /** /proc/meminfo fields, in bytes */
  memFree: number;
  memAvailable: number;
  slab: number;
  sReclaimable: number;
  sUnreclaim: number;
  vmallocUsed: number;
  kernelStack: number;
  pageTables: number;
  percpu: number;
  /**
   * Memory in use outside the LRU lists: MemTotal - MemFree - Active -
   * Inactive - Unevictable. Kernel allocations (slab, vmalloc, page
   * tables, stacks, pages allocated directly) without the user pages and
   * the page cache that make MemFree itself noisy.
   */
  nonLru: number;
  /** free pages on the per-cpu lists (/proc/zoneinfo `count`): free, but not in MemFree */
  pcpFree: number;
  /** nonLru without pcpFree: memory the kernel really holds outside the LRU lists */
  kernelHeld: number;
  /** bytes and areas in /proc/vmallocinfo allocated by v4l2loopback or vb2-vmalloc */
  moduleVmalloc: number;
  moduleVmallocAreas: number;
}

export async function meminfo(): Promise<MemReading> {
  const text = await readFile('/proc/meminfo', 'utf8');
  const kb = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    if (!m) throw new Error(`/proc/meminfo has no ${name}`);
    return Number(m[1]) * 1024;
  };
  const { bytes, areas } = await moduleVmalloc();
  const zoneinfo = await readFile('/proc/zoneinfo', 'utf8');
  const pcpFree = [...zoneinfo.matchAll(/^\s+count:\s+(\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0) * 4096;
  const nonLru = kb('MemTotal') - kb('MemFree') - kb('Active') - kb('Inactive') - kb('Unevictable');
  return {
    memFree: kb('MemFree'),
    memAvailable: kb('MemAvailable'),
    slab: kb('Slab'),
    sReclaimable: kb('SReclaimable'),
    sUnreclaim: kb('SUnreclaim'),
    vmallocUsed: kb('VmallocUsed'),
    kernelStack: kb('KernelStack'),
    pageTables: kb('PageTables'),
    percpu: kb('Percpu'),
    nonLru,
    pcpFree,
    kernelHeld: nonLru - pcpFree,
    moduleVmalloc: bytes,
    moduleVmallocAreas: areas,
  };
}

/** vmalloc areas whose caller is in v4l2loopback or videobuf2-vmalloc (buffers, stored frames). */
export async function moduleVmalloc(): Promise<{ bytes: number; areas: number; lines: string[] }> {
  const text = await readFile('/proc/vmallocinfo', 'utf8');
  const lines = text.split('\n').filter((l) => /\[v4l2loopback\]|vb2_vmalloc/.test(l));
  const bytes = lines.reduce((sum, l) => sum + Number(/^0x[0-9a-f]+-0x[0-9a-f]+\s+(\d+)/.exec(l)?.[1] ?? 0), 0);
  return { bytes, areas: lines.length, lines };
}

/** Drops the page cache, dentries and inodes, and empties the per-cpu slab caches. */
async function dropCaches(): Promise<void> {
  await runOk('sync', [], { timeoutMs: 60_000 });
  await writeFile('/proc/sys/vm/drop_caches', '3\n');
  const caches = await readdir('/sys/kernel/slab').catch(() => [] as string[]);
  for (const c of caches) {
    // SLUB: writing 1 to shrink releases empty slabs held in per-cpu partial lists
    await writeFile(`/sys/kernel/slab/${c}/shrink`, '1\n').catch(() => undefined);
  }
}

/**
 * A reading once the kernel has settled: caches dropped and slabs shrunk,
 * then repeated (waiting for RCU and deferred frees) until two successive
 * readings of unreclaimable slab agree within `tolerance` bytes; the last
 * reading is returned.
 */
export async function settledMeminfo(tolerance = 64 * 1024, tries = 8): Promise<MemReading> {
  let prev: MemReading | undefined;
  for (let i = 0; i < tries; i++) {
    await dropCaches();
    await sleep(1000);
    const cur = await meminfo();
    if (prev && Math.abs(cur.sUnreclaim - prev.sUnreclaim) <= tolerance && Math.abs(cur.slab - prev.slab) <= tolerance) {
      return cur;
    }
    prev = cur;
  }
  return prev!;
}

export const MiB = 1 << 20;

/** after - before for every field */
export function memDelta(before: MemReading, after: MemReading): MemReading {
  const d = {} as Record<keyof MemReading, number>;
  for (const k of Object.keys(before) as (keyof MemReading)[]) d[k] = after[k] - before[k];
  return d;
}

export function formatMem(m: MemReading): string {
  return Object.entries(m)
    .map(([k, v]) => (k === 'moduleVmallocAreas' ? `${k}=${v}` : `${k}=${(v / 1024).toFixed(0)}K`))
    .join(' ');
}
