// fuzz.test.ts - torture item 6: a seeded, reproducible ioctl fuzzer
// (test/guest/progs/v4l2l-fuzz.c) hammers the control device and the nodes
// of a combined exclusive_caps=1 device (with a real producer streaming)
// and of a split device with two capture nodes, from several threads, for
// 20 s (short form) or 120 s (full form). Afterwards: no splat (setup.ts),
// the fuzzer finished on its own (no hang), it really exercised the driver,
// the nodes still stream, and the module unloads. Reproduce a failure with
// TORTURE_SEED=<seed printed in the failure>.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModule, run, runOk, start, unloadModule } from '../guest/helpers/kernel.js';
import { consume, prog, sleep, startProducer, waitForProducer } from '../guest/helpers/kmod.js';
import { onDebugKernel, scaled, tortureSeed } from './helpers/mode.js';

interface FuzzReport {
  seed: number;
  threads: number;
  elapsed: number;
  calls: number;
  ok: number;
  errnos: Record<string, number>;
  ops: Record<string, [number, number]>;
  streamCycles: number;
  framesWritten: number;
  dqbufs: number;
  added: number;
  removed: number;
  leftover: number;
  oddErrnos: { op: string; cmd: string; errno: number; count: number }[];
  error?: string;
}

const seconds = scaled(20, 120);
const threads = 4;

function videoNodes(): number[] {
  return readdirSync('/sys/class/video4linux')
    .map((n) => /^video(\d+)$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** The kernel stacks of a process's threads (why it hangs). */
function stacks(pid: number | undefined): string {
  if (!pid) return '';
  try {
    return readdirSync(`/proc/${pid}/task`)
      .map((tid) => `thread ${tid}:\n${readFileSync(`/proc/${pid}/task/${tid}/stack`, 'utf8')}`)
      .join('\n');
  } catch (e) {
    return String(e);
  }
}

describe('ioctl fuzzer', () => {
  afterAll(async () => {
    await loadModule();
  });

  it(`${seconds} s, ${threads} threads, seed ${tortureSeed}: no splat, no hang, nodes still work, module unloads`, async () => {
    // video0: combined, exclusive_caps=1; video1: split output, video2/3 its
    // capture nodes. A small memory budget per device keeps the fuzzer's
    // extra devices from exhausting the guest's RAM.
    await loadModule({
      devices: 2,
      video_nr: '0,1',
      exclusive_caps: '1,0',
      capture_nr: '-1,2',
      capture_nodes: '1,2',
      max_memory_mb: 48,
    });
    const nodes = videoNodes();
    expect(nodes).toEqual([0, 1, 2, 3]);

    const producer = await startProducer(0, { size: '320x240', fps: 15, mmap: true });
    let report: FuzzReport;
    try {
      await waitForProducer(0);
      const args = ['-s', String(tortureSeed), '-t', String(seconds), '-j', String(threads)];
      const fuzz = start(await prog('v4l2l-fuzz'), [...args, ...nodes.map((n) => `/dev/video${n}`)], {
        timeoutMs: (seconds + 60) * 1000,
      });
      // SIGKILL at duration + 60 s; a thread stuck in the kernel survives even that
      const r = await Promise.race([fuzz.result, sleep((seconds + 90) * 1000).then(() => undefined)]);
      if (!r) throw new Error(`v4l2l-fuzz ${args.join(' ')} does not die: stuck in the kernel\n${stacks(fuzz.child.pid)}`);
      const what = `v4l2l-fuzz ${args.join(' ')} (exit ${r.code ?? r.signal}${r.timedOut ? ', killed: hung' : ''})\n${r.stdout}\n${r.stderr}`;
      expect(r.timedOut, what).toBe(false);
      expect(r.code, what).toBe(0);
      report = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as FuzzReport;
      console.log(
        `fuzz seed ${report.seed}: ${report.calls} calls (${report.ok} ok) in ${report.elapsed} s, ` +
          `${report.streamCycles} stream cycles, ${report.dqbufs} DQBUFs, ${report.framesWritten} writes, ` +
          `${report.added} devices added, ${report.removed} removed; errnos ${JSON.stringify(report.errnos)}`,
      );
    } finally {
      await producer.stop();
    }

    // it really exercised the driver: many calls, successes and the usual errors
    expect(report.error).toBeUndefined();
    expect(report.leftover).toBe(0);
    // kernel-internal errnos (ENOIOCTLCMD, ERESTARTSYS...) never reach userspace
    expect(report.oddErrnos).toEqual([]);
    // (the debug kernel runs every call a few times slower)
    expect(report.calls).toBeGreaterThan(onDebugKernel ? scaled(1_000, 3_000) : scaled(5_000, 30_000));
    expect(report.ok).toBeGreaterThan(report.calls / 20);
    for (const e of ['EINVAL', 'EFAULT', 'ENOTTY', 'EBUSY']) expect(report.errnos[e] ?? 0, e).toBeGreaterThan(0);
    for (const op of ['QUERYCAP', 'S_FMT', 'REQBUFS', 'QBUF', 'DQBUF', 'STREAMON', 'S_CTRL', 'CTL_ADD', 'CTL_REMOVE', 'MMAP']) {
      expect(report.ops[op]?.[0] ?? 0, `successful ${op}`).toBeGreaterThan(0);
    }
    expect(report.added).toBeGreaterThan(0);
    expect(report.removed).toBe(report.added);

    // the nodes still work: controls back to defaults (the fuzzer may have
    // set keep_format or a timeout), then a producer and a consumer on each
    // device
    for (const nr of nodes) {
      await runOk('v4l2-ctl', ['-d', `/dev/video${nr}`, '-c', 'keep_format=0,sustain_framerate=0,timeout=0'], {
        timeoutMs: 20_000,
      });
      await runOk('v4l2-ctl', ['-d', `/dev/video${nr}`, '--all'], { timeoutMs: 20_000 });
    }
    // The fuzzer may have pressed timeout_image_io on an output node: as
    // with the classic module, the next output file to take buffers then
    // loads the timeout image. One short output stream per output node uses
    // such a press up (and is an ordinary one-frame producer otherwise).
    for (const nr of [0, 1]) {
      const r = await run('v4l2-ctl', ['-d', `/dev/video${nr}`, '--stream-out-mmap', '2', '--stream-count', '1'], { timeoutMs: 30_000 });
      if (r.code !== 0) console.log(`v4l2-ctl --stream-out-mmap on /dev/video${nr}: exit ${r.code}\n${r.stderr}`);
    }
    for (const [out, cap] of [
      [0, 0],
      [1, 2],
      [1, 3],
    ] as const) {
      const p = await startProducer(out, { size: '320x240', fps: 30 });
      try {
        await waitForProducer(out);
        const c = await consume(cap, { frames: 10, timeoutS: 30 });
        expect(c.error, `consumer on /dev/video${cap}: ${JSON.stringify(c)}`).toBeUndefined();
        expect(c).toMatchObject({ frames: 10, torn: 0, unstamped: 0, bytesMismatch: 0 });
      } finally {
        await p.stop();
      }
    }

    await unloadModule();
  });
});
