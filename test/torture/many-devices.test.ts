// many-devices.test.ts - torture scenario 2: 64 loopback devices at once,
// each streaming 320x240 YUYV at 30 fps to its own consumer (one process
// drives all of them, test/guest/progs/v4l2l-multistream.c). Every consumer
// must get at least 99% of the frames produced while it streamed, whole and
// in order; the module must unload afterwards. On the debug kernel (KASAN
// and lockdep on one emulated CPU) the rates cannot be met; there only
// whole, ordered frames are required.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModule, moduleLoaded, runOk, unloadModule } from '../guest/helpers/kernel.js';
import { prog, readJson } from '../guest/helpers/kmod.js';
import { onDebugKernel, scaled } from './helpers/mode.js';

interface StreamReport {
  path: string;
  produced: number;
  skipped: number;
  received: number;
  torn: number;
  repeated: number;
  first: number;
  last: number;
}

interface MultiReport {
  devices: number;
  ticks: number;
  late_ticks: number;
  elapsed_ms: number;
  streams: StreamReport[];
}

const DEVICES = 64;
const SECONDS = scaled(15, 60);

/** The loopback video nodes, in node-number order. */
function loopbackNodes(): string[] {
  const base = '/sys/devices/virtual/video4linux';
  return readdirSync(base)
    .filter((n) => readFileSync(`${base}/${n}/name`, 'utf8').startsWith('Dummy video device'))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
    .map((n) => `/dev/${n}`);
}

describe(`${DEVICES} devices streaming at once`, () => {
  afterAll(async () => {
    if (!moduleLoaded()) await loadModule();
  });

  it(`each of ${DEVICES} consumers gets >= 99% of 320x240@30 frames for ${SECONDS} s`, async () => {
    await loadModule({ devices: DEVICES, max_buffers: 4 });
    const nodes = loopbackNodes();
    expect(nodes).toHaveLength(DEVICES);

    const { stdout } = await runOk(await prog('v4l2l-multistream'), ['-s', '320x240', '-r', '30', '-t', String(SECONDS), ...nodes], {
      timeoutMs: (SECONDS + 120) * 1000,
    });
    const report = readJson<MultiReport>(stdout);
    expect(report.streams).toHaveLength(DEVICES);

    // The producer side kept its pace: one frame per device per tick, on time.
    expect(report.ticks).toBe(SECONDS * 30);
    const worst = Math.min(...report.streams.map((s) => s.received / (s.produced - s.first)));
    console.log(`${DEVICES} devices, ${SECONDS} s: worst consumer ${(worst * 100).toFixed(2)}%, late ticks ${report.late_ticks}/${report.ticks}, ${report.elapsed_ms} ms`);
    // How long the ticks took is the host's load, not the driver's: a TCG
    // vCPU can stall for seconds on a busy host. Judged here is what each
    // consumer got of what was produced; the rate itself is bench/'s.
    const shortfalls: string[] = [];
    for (const s of report.streams) {
      // Frames produced from the consumer's first one on are what it could get.
      const offered = s.produced - s.first;
      const ratio = s.received / offered;
      const rateMissed = !onDebugKernel && (ratio < 0.99 || s.skipped > 0);
      if (s.first < 0 || s.torn || s.repeated || rateMissed) {
        shortfalls.push(`${s.path}: ${s.received}/${offered} frames (${(ratio * 100).toFixed(1)}%), torn ${s.torn}, repeated ${s.repeated}, producer skipped ${s.skipped}`);
      }
    }
    expect(shortfalls, `late ticks ${report.late_ticks}/${report.ticks}`).toEqual([]);

    await unloadModule();
    expect(moduleLoaded()).toBe(false);
  });
});
