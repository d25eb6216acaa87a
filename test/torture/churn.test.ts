// churn.test.ts - torture scenario 1: add/remove cycles through the control
// device with random valid configs (v4l2l-churn, seeded from TORTURE_SEED),
// a producer and consumers streaming through some of the devices, REMOVE
// refused while anything is open or mapped, a process reading every sysfs
// attribute of every node all the while; afterwards the kernel's slab,
// vmalloc and free memory are back at their baseline (±1 MiB), no vmalloc
// area of the module or of its buffers is left, and the module unloads.
//
// Free memory: MemFree itself moves by tens of MiB with the test runner's
// own heap and the per-cpu free lists, so the check is on what the kernel
// holds outside the LRU lists (MemTotal - MemFree - per-cpu free pages -
// LRU pages, see helpers/memory.ts): slab, vmalloc, page tables and pages
// allocated directly, steady to ~0.2 MiB between idle readings.
import { afterAll, describe, expect, it } from 'vitest';
import { loadModule, moduleLoaded, run, unloadModule } from '../guest/helpers/kernel.js';
import { prog } from '../guest/helpers/kmod.js';
import { formatMem, memDelta, MiB, moduleVmalloc, settledMeminfo } from './helpers/memory.js';
import { onDebugKernel, scaled, tortureSeed } from './helpers/mode.js';

// a cycle takes a few milliseconds even under TCG: many cycles make a small
// per-cycle leak visible (1 MiB over 5000 cycles is ~200 bytes per cycle);
// on the debug kernel a cycle takes far longer, and kmemleak sees leaks
// by themselves
const cycles = onDebugKernel ? scaled(300, 1000) : scaled(1000, 5000);
/** cycles of each of the two churns that run side by side afterwards */
const parallelCycles = onDebugKernel ? scaled(50, 200) : scaled(100, 1000);

interface ChurnReport {
  cycles: number;
  streamed: number;
  frames: number;
  repeats: number;
  nullFrames: number;
  timeoutFrames: number;
  ebusyChecks: number;
  extraNodes: number;
  orphans: number;
  mappedAfterClose: number;
  timeoutImages: number;
  twoConsumers: number;
  sysfsReads: number;
  seconds: number;
  errors: number;
  firstErrors: string[];
}

async function churn(args: string[]): Promise<ChurnReport> {
  const r = await run(await prog('v4l2l-churn'), args, { timeoutMs: 800_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let report: ChurnReport;
  try {
    report = JSON.parse(line) as ChurnReport;
  } catch {
    throw new Error(`v4l2l-churn ${args.join(' ')} printed no report (${r.code ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
  expect(report.errors, `v4l2l-churn ${args.join(' ')}: ${JSON.stringify(report)}`).toBe(0);
  expect(r.code).toBe(0);
  return report;
}

describe(`churn: ${cycles} add/remove cycles (seed ${tortureSeed})`, () => {
  afterAll(async () => {
    if (!moduleLoaded()) await loadModule();
  });

  it('random configs, streams on some devices; memory returns to its baseline', async () => {
    await loadModule({ devices: 0 });
    // warm-up: one-time allocations (caches, device numbers, workqueues) before the baseline
    await churn(['-n', '20', '-s', String(tortureSeed + 1), '-p', '50']);
    const before = await settledMeminfo();

    const t0 = Date.now();
    // -S: a child reads every sysfs attribute of every node meanwhile
    const main = await churn(['-n', String(cycles), '-s', String(tortureSeed), '-p', '20', '-S']);
    // two churns side by side race on the control device and node numbers
    const side = await Promise.all(
      [2, 3].map((k) => churn(['-n', String(parallelCycles), '-s', String(tortureSeed + k), '-p', '20', '-P'])),
    );
    const seconds = (Date.now() - t0) / 1000;

    const after = await settledMeminfo();
    const delta = memDelta(before, after);
    const leftovers = await moduleVmalloc();
    console.log(
      `churn: ${cycles} + 2x${parallelCycles} cycles in ${seconds.toFixed(0)} s, ` +
        `${main.streamed + side[0]!.streamed + side[1]!.streamed} streamed\n` +
        `  main: ${JSON.stringify(main)}\n  before: ${formatMem(before)}\n  after:  ${formatMem(after)}\n  delta:  ${formatMem(delta)}`,
    );

    // the scenario really ran: devices streamed, REMOVE was refused, buffers were orphaned...
    expect(main.cycles).toBe(cycles);
    expect(main.streamed).toBeGreaterThanOrEqual(cycles * 0.1);
    expect(main.frames).toBeGreaterThanOrEqual(main.streamed * 2);
    expect(main.ebusyChecks).toBeGreaterThan(0);
    expect(main.orphans + side[0]!.orphans + side[1]!.orphans).toBeGreaterThan(0);
    expect(main.mappedAfterClose + side[0]!.mappedAfterClose + side[1]!.mappedAfterClose).toBeGreaterThan(0);
    expect(main.extraNodes).toBeGreaterThan(0);
    expect(main.sysfsReads).toBeGreaterThan(cycles);
    expect(main.timeoutImages).toBeGreaterThan(0);
    // the repeat/timeout work ran while devices streamed (and were removed)
    const timerFrames = [main, ...side].reduce((n, r) => n + r.repeats + r.nullFrames + r.timeoutFrames, 0);
    expect(timerFrames).toBeGreaterThan(0);

    // nothing of the module's is left in vmalloc space: buffers, stored frames
    expect(leftovers.lines, 'vmalloc areas of the module after the last REMOVE').toEqual([]);
    expect(Math.abs(delta.vmallocUsed), `VmallocUsed delta ${delta.vmallocUsed}`).toBeLessThanOrEqual(MiB);
    expect(Math.abs(delta.slab), `Slab delta ${delta.slab}`).toBeLessThanOrEqual(MiB);
    expect(Math.abs(delta.sUnreclaim), `SUnreclaim delta ${delta.sUnreclaim}`).toBeLessThanOrEqual(MiB);
    expect(Math.abs(delta.kernelHeld), `kernel-held memory delta ${delta.kernelHeld}`).toBeLessThanOrEqual(MiB);
  });

  it('the module unloads cleanly afterwards', async () => {
    await unloadModule();
    expect(moduleLoaded()).toBe(false);
  });
});
