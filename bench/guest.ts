// bench/guest.ts - the guest side of `make bench`: runs the scenario matrix
// with the C driver (out/bench/v4l2l-bench) against the loaded module, the
// memcpy reference for every frame size and the Node VirtualCamera vs C
// producer comparison (C copying and C converting RGB with the addon's
// routine, against Node's three modes, in alternating rounds), and writes
// <results>/bench.json after every scenario (so a timed-out run still
// leaves what it measured).
// With --other-ko FILE every scenario also runs on that module, in the same
// guest, alternating the order (ours, theirs | theirs, ours | ...) so that
// drift of the shared host hits both alike; its results go to
// <results>/bench-theirs.json.
// usage (inside sandbox/run): node out/bench/js/bench/guest.js --label ours [--quick]
//        [--seconds S] [--filter a,b] [--no-node] [--no-matrix] [--other-ko FILE]
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  combineWindows,
  filterScenarios,
  failedResult,
  frameBytes,
  type NodeComparison,
  nodeVerdicts,
  type ProducerMeasure,
  type RawRun,
  type Scenario,
  type ScenarioResult,
  scenarioMatrix,
  summarizeRun,
} from './lib/stats.js';

const top = resolve(import.meta.dirname, '../../../..');
const driver = join(top, 'out/bench/v4l2l-bench');

const { values: args } = parseArgs({
  options: {
    label: { type: 'string', default: 'ours' },
    quick: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    filter: { type: 'string' },
    out: { type: 'string' },
    'no-node': { type: 'boolean', default: false },
    'no-matrix': { type: 'boolean', default: false },
    'other-ko': { type: 'string' },
  },
});
const seconds = Number(args.seconds ?? (args.quick ? 2 : 3));
if (!(seconds > 0 && seconds <= 60)) throw new RangeError(`Expected --seconds in (0, 60] but received ${args.seconds}`);
const resultsDir = args.out ?? process.env.SANDBOX_RESULTS;
if (!resultsDir) throw new Error('no results folder: pass --out DIR or run under sandbox/run --results DIR');
if (!existsSync(driver)) throw new Error(`${driver} is missing: run make -C bench on the host first`);

interface DriverResult {
  ok: boolean;
  error?: string;
  errno?: number;
  message?: string;
  [k: string]: unknown;
}

function drive(argv: string[], timeoutS: number): DriverResult {
  const r = spawnSync(driver, argv, { encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 256 << 20 });
  const line = r.stdout?.trim().split('\n').pop() ?? '';
  if (r.error) return { ok: false, error: `${argv[0]}: ${r.error.message}` };
  try {
    return JSON.parse(line) as DriverResult;
  } catch {
    return { ok: false, error: `${argv[0]}: exit ${r.status ?? r.signal}, no JSON (${r.stderr.trim().slice(0, 200)})` };
  }
}

function describe(r: DriverResult): string {
  return `${r.error ?? 'failed'}${r.message ? `: ${r.message}` : ''}`;
}

function modinfo(field: string, ko = process.env.V4L2L_KO): string {
  if (!ko) return '';
  const r = spawnSync('modinfo', ['-F', field, ko], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

const kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
const out = {
  label: args.label,
  kernel,
  module: { path: process.env.V4L2L_KO ?? '', srcversion: modinfo('srcversion'), version: modinfo('version') },
  date: new Date().toISOString(),
  args: process.argv.slice(2),
  secondsPerScenario: seconds,
  memcpyUs: {} as Record<string, number>,
  movsbUs: {} as Record<string, number>,
  /** Busy CPU-seconds per second of the idle guest, before and after the matrix. */
  idleBusy: [] as number[],
  scenarios: [] as ScenarioResult[],
  node: [] as NodeComparison[],
  errors: [] as string[],
};
const file = join(resultsDir, 'bench.json');
const otherKo = args['other-ko'] ? resolve(args['other-ko']) : undefined;
const theirs = {
  ...out,
  label: 'theirs',
  module: { path: otherKo ?? '', srcversion: modinfo('srcversion', otherKo), version: modinfo('version', otherKo) },
  scenarios: [] as ScenarioResult[],
  node: [] as NodeComparison[],
};
const theirsFile = join(resultsDir, 'bench-theirs.json');
const save = (): void => {
  writeFileSync(file, `${JSON.stringify(out, null, 1)}\n`);
  if (otherKo) writeFileSync(theirsFile, `${JSON.stringify(theirs, null, 1)}\n`);
};

// ---- swapping modules in the guest -------------------------------------------------
let loaded: 'ours' | 'theirs' = 'ours';

function insmodFresh(ko: string, params: string[]): void {
  for (let i = 0; ; i++) {
    const r = spawnSync('rmmod', ['v4l2loopback'], { encoding: 'utf8' });
    if (r.status === 0) break;
    if (i > 50) throw new Error(`rmmod v4l2loopback: ${r.stderr.trim()}`);
    spawnSync('sleep', ['0.1']);
  }
  const r = spawnSync('insmod', [ko, ...params], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`insmod ${ko}: ${r.stderr.trim()}`);
}

function load(which: 'ours' | 'theirs'): void {
  if (loaded === which) return;
  const ko = which === 'ours' ? process.env.V4L2L_KO : otherKo;
  if (!ko) throw new Error(`no module for ${which}`);
  // Our own parameters only for ours: another module may not know them.
  insmodFresh(ko, which === 'ours' ? (process.env.SANDBOX_PARAMS ?? '').split(/\s+/).filter(Boolean) : []);
  loaded = which;
}

/**
 * A classic module older than its control device (v4l2loopback before
 * 0.13, Debian 12's 0.12.7) makes its devices at load time only: one fresh
 * combined device per scenario by reloading it, with room for the
 * producer and 8 consumers, and as many buffers as ours gets.
 */
const hasControlDevice = (): boolean => existsSync('/dev/v4l2loopback');
function classicDev(): Dev | string {
  if (!otherKo) return 'no control device and no other module';
  insmodFresh(otherKo, ['devices=1', 'max_openers=16', 'max_buffers=8']);
  const nodes = readdirSync('/sys/class/video4linux')
    .filter((n) => /^video\d+$/.test(n))
    .map((n) => Number(n.slice(5)))
    .sort((a, b) => a - b);
  const nr = nodes[0];
  return nr === undefined ? 'the classic module made no video node' : { output: nr, captures: [nr], split: false };
}

function log(msg: string): void {
  process.stderr.write(`bench[${args.label}] ${msg}\n`);
}

// ---- memcpy, the floor ----------------------------------------------------------
/**
 * CPU time of one copy of `bytes` (glibc memcpy, or rep movsb as the kernel
 * copies), measured for a short while right before each scenario so that
 * load on the shared host hits the scenario and its reference alike. The
 * run's tables keep every sample; the report shows their median.
 */
function copyUs(kind: 'memcpy' | 'movsb', bytes: number): number {
  const r = drive([kind, String(bytes), '0.25'], 60);
  const us = r.ok ? (r.nsPerCopy as number) / 1000 : Number.NaN;
  if (!r.ok) out.errors.push(`${kind} ${bytes}: ${describe(r)}`);
  const table = kind === 'memcpy' ? samples.memcpy : samples.movsb;
  (table[String(bytes)] ??= []).push(us);
  const sorted = [...(table[String(bytes)] ?? [])].sort((a, b) => a - b);
  (kind === 'memcpy' ? out.memcpyUs : out.movsbUs)[String(bytes)] = sorted[Math.floor((sorted.length - 1) / 2)] ?? us;
  return us;
}
const samples = { memcpy: {} as Record<string, number[]>, movsb: {} as Record<string, number[]> };

function idle(): void {
  const r = drive(['idle', '2'], 30);
  if (!r.ok) return void out.errors.push(`idle: ${describe(r)}`);
  const t = r.ticks as Record<string, number>;
  const busy = ['user', 'nice', 'system', 'irq', 'softirq'].reduce((a, k) => a + (t[k] ?? 0), 0) / (r.userHz as number);
  out.idleBusy.push(busy / (r.seconds as number));
  log(`idle guest: ${((busy / (r.seconds as number)) * 100).toFixed(1)}% of one CPU busy`);
}

interface Dev {
  output: number;
  captures: number[];
  split: boolean;
}

function mkdev(consumers: number): Dev | string {
  if (!hasControlDevice()) return classicDev();
  const r = drive(['mkdev', String(consumers)], 60);
  return r.ok ? (r as unknown as Dev) : describe(r);
}

function rmdev(d: Dev): void {
  if (!hasControlDevice()) return; // a classic device goes with its module
  const r = drive(['rmdev', String(d.output)], 60);
  if (!r.ok) out.errors.push(`rmdev ${d.output}: ${describe(r)}`);
}

/** Capture paths for n consumers: one node each when split, else shared round robin. */
function capturePaths(d: Dev, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `/dev/video${d.captures[i % d.captures.length]}`);
}

function runScenario(s: Scenario): ScenarioResult {
  const bytes = frameBytes(s.fourcc, s.width, s.height);
  const mc = copyUs('memcpy', bytes);
  const mb = copyUs('movsb', bytes);
  const d = mkdev(s.consumers);
  if (typeof d === 'string') return failedResult(s, mc, `mkdev: ${d}`, mb);
  try {
    // 4K frames are 16 MiB: three buffers per consumer keep 8 consumers inside the memory budget.
    const bufs = s.width >= 3840 ? 3 : 4;
    const r = drive(
      ['run', '-o', `/dev/video${d.output}`, '-c', capturePaths(d, s.consumers).join(','), '-s', `${s.width}x${s.height}`, '-f', s.fourcc, '-i', s.io, '-r', String(s.fps), '-t', String(seconds), '-b', String(bufs)],
      seconds + 90,
    );
    if (!r.ok) return failedResult(s, mc, `run: ${describe(r)}`, mb);
    return summarizeRun(s, r as unknown as RawRun, mc, mb);
  } finally {
    rmdev(d);
  }
}

// ---- Node VirtualCamera vs the C producer ---------------------------------------------
/** Length of one measured window (s): short, so that the producers' turns interleave finely. */
const WINDOW_S = 0.125;

function failedMeasure(error: string): ProducerMeasure {
  return { frames: 0, seconds: 0, cpuUsPerFrame: Number.NaN, error };
}

/**
 * A producer process that stays up across its windows (the C driver's
 * `produce -t 0`, or node-producer.js): it says {"ready":true}, then
 * answers every "run SECONDS" line with one JSON line. Kept up, V8's JIT
 * stays warm and no window pays for a process start.
 */
class ProducerProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: string[] = [];
  #waiter: ((line: string | undefined) => void) | undefined;
  #ended = false;
  #stderr = '';

  constructor(
    readonly name: string,
    command: string,
    argv: string[],
  ) {
    this.#child = spawn(command, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.on('error', (err) => {
      this.#stderr += String(err.message);
    });
    this.#child.stderr.on('data', (d: Buffer) => {
      this.#stderr = (this.#stderr + d.toString()).slice(-2000);
    });
    const rl = createInterface({ input: this.#child.stdout });
    rl.on('line', (line) => this.#push(line));
    rl.on('close', () => {
      this.#ended = true;
      this.#push(undefined);
    });
  }

  #push(line: string | undefined): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    if (w) w(line);
    else if (line !== undefined) this.#lines.push(line);
  }

  #next(timeoutS: number): Promise<string | undefined> {
    const queued = this.#lines.shift();
    if (queued !== undefined || this.#ended) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        this.#child.kill('SIGKILL');
        resolve(undefined);
      }, timeoutS * 1000);
      this.#waiter = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
    });
  }

  #failure(what: string): string {
    const err = this.#stderr.trim();
    return `${this.name}: ${what}${err ? ` (${err.slice(-300)})` : ''}`;
  }

  /** Waits for {"ready":true}: undefined, else why it failed. */
  async ready(): Promise<string | undefined> {
    const line = await this.#next(120);
    return line?.includes('"ready":true') ? undefined : this.#failure(line === undefined ? 'exited or timed out before it was ready' : `said ${line.slice(0, 200)}`);
  }

  async run(seconds: number): Promise<ProducerMeasure> {
    if (this.#ended) return failedMeasure(this.#failure('exited'));
    this.#child.stdin.write(`run ${seconds}\n`);
    const line = await this.#next(seconds + 60);
    if (line === undefined) return failedMeasure(this.#failure('exited or timed out'));
    let r: DriverResult & Partial<ProducerMeasure>;
    try {
      r = JSON.parse(line) as DriverResult & Partial<ProducerMeasure>;
    } catch {
      return failedMeasure(this.#failure(`said ${line.slice(0, 200)}`));
    }
    if (r.error || r.ok === false) return failedMeasure(this.#failure(describe(r)));
    const frames = r.frames ?? 0;
    // The C driver reports getrusage() times, node-producer its own CPU per frame.
    const cpu = typeof r.userUs === 'number' ? (r.userUs + (r.systemUs as number)) / frames : (r.cpuUsPerFrame ?? Number.NaN);
    return { frames, seconds: r.seconds ?? 0, cpuUsPerFrame: cpu };
  }

  async close(): Promise<void> {
    if (this.#ended) return;
    const done = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.stdin.end();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 30_000);
    await done;
    clearTimeout(timer);
  }
}

type Producer = 'c' | 'cRgb' | 'nodeZeroCopy' | 'nodeSend' | 'nodeRgb';

/**
 * The comparison at one size: a device per producer (no consumer), every
 * producer started and warmed up (V8's optimizing compiler needs a few
 * seconds of CPU under TCG), then rounds in which every producer runs one
 * WINDOW_S window in turn, the order reversed every other round (ABBA), so
 * that the shared host's drift hits all producers alike. --seconds is the
 * measured time per producer.
 */
async function nodeComparison(w: number, h: number): Promise<NodeComparison | undefined> {
  const rounds = Math.max(4, Math.round(seconds / WINDOW_S));
  const warmS = Math.max(2, seconds);
  const producers: Array<[Producer, string, string[]]> = [
    ['c', driver, ['produce', '-s', `${w}x${h}`, '-f', 'YUYV', '-i', 'mmap', '-t', '0']],
    ['nodeZeroCopy', process.execPath, [join(import.meta.dirname, 'node-producer.js'), 'zero-copy']],
    ['nodeSend', process.execPath, [join(import.meta.dirname, 'node-producer.js'), 'send']],
    ['cRgb', driver, ['produce', '-s', `${w}x${h}`, '-f', 'YUYV', '-i', 'mmap', '-t', '0', '-F', 'RGB3']],
    ['nodeRgb', process.execPath, [join(import.meta.dirname, 'node-producer.js'), 'rgb']],
  ];
  const devs: Dev[] = [];
  const procs = new Map<Producer, ProducerProcess>();
  const failed = new Map<Producer, string>();
  const windows = new Map<Producer, ProducerMeasure[]>(producers.map(([key]) => [key, []]));
  try {
    for (const [key, command, argv] of producers) {
      const d = mkdev(1);
      if (typeof d === 'string') {
        out.errors.push(`node comparison: mkdev: ${d}`);
        return undefined;
      }
      devs.push(d);
      const dev = `/dev/video${d.output}`;
      // The driver takes -o DEV; node-producer.js DEV WIDTH HEIGHT MODE.
      const args = command === driver ? [...argv, '-o', dev] : [argv[0]!, dev, String(w), String(h), argv[1]!];
      const p = new ProducerProcess(key, command, args);
      procs.set(key, p);
      const why = (await p.ready()) ?? (await p.run(warmS)).error;
      if (why) failed.set(key, why);
    }
    log(`node ${w}x${h}: warmed up; ${rounds} rounds of ${WINDOW_S} s windows`);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 ? [...producers].reverse() : producers;
      for (const [key] of order) {
        const why = failed.get(key);
        windows.get(key)!.push(why ? failedMeasure(why) : await procs.get(key)!.run(WINDOW_S));
      }
    }
    const get = (key: Producer): ProducerMeasure => combineWindows(windows.get(key)!);
    return { width: w, height: h, fourcc: 'YUYV', rounds, c: get('c'), cRgb: get('cRgb'), nodeZeroCopy: get('nodeZeroCopy'), nodeSend: get('nodeSend'), nodeRgb: get('nodeRgb') };
  } finally {
    for (const p of procs.values()) await p.close();
    for (const d of devs) rmdev(d);
  }
}

// ---- main --------------------------------------------------------------------
const list = args['no-matrix'] ? [] : filterScenarios(scenarioMatrix(args.quick), args.filter);
log(`kernel ${kernel}, ${list.length} scenarios of ${seconds} s`);
idle();
save();
for (const [i, s] of list.entries()) {
  if (otherKo) {
    // ABBA order: the module loaded last goes first, one swap per scenario.
    const order: Array<'ours' | 'theirs'> = loaded === 'ours' ? ['ours', 'theirs'] : ['theirs', 'ours'];
    for (const which of order) {
      let r: ScenarioResult;
      try {
        load(which);
        r = runScenario(s);
      } catch (e) {
        // the other module failed to load or unload: recorded; if it stays stuck (a consumer
        // hangs in it), loading ours fails next and the run ends with what it measured
        if (which === 'ours') throw e;
        r = failedResult(s, Number.NaN, `theirs: ${(e as Error).message}`, Number.NaN);
      }
      (which === 'ours' ? out : theirs).scenarios.push(r);
      if (which === 'theirs') log(`${i + 1}/${list.length} ${s.id} theirs: min consumer ${r.minConsumerFps.toFixed(1)} fps, ${r.cpu.usPerDeliveredFrame.toFixed(0)} µs CPU/frame${r.error ? ` [${r.error}]` : ''}`);
    }
    save();
    continue;
  }
  const r = runScenario(s);
  out.scenarios.push(r);
  save();
  log(
    `${i + 1}/${list.length} ${s.id}: producer ${r.producer.fps.toFixed(1)} fps, min consumer ${r.minConsumerFps.toFixed(1)} fps ` +
      `(${(r.minDelivered * 100).toFixed(1)}%), p50/p99 ${(r.latency.p50Us / 1000).toFixed(2)}/${(r.latency.p99Us / 1000).toFixed(2)} ms, ` +
      `${r.cpu.usPerDeliveredFrame.toFixed(0)} µs CPU/frame = ${r.cpuVsMemcpy.toFixed(2)}x memcpy${r.error ? ` [${r.error}]` : ''}`,
  );
}
load('ours');
if (!args['no-node']) {
  const sizes: Array<[number, number]> = args.quick ? [[1920, 1080]] : [[640, 480], [1920, 1080]];
  for (const [w, h] of sizes) {
    const n = await nodeComparison(w, h);
    if (n) {
      out.node.push(n);
      save();
      const v = nodeVerdicts(n);
      const us = (m: ProducerMeasure): string => (m.error ? `error (${m.error})` : `${m.cpuUsPerFrame.toFixed(0)}`);
      log(
        `node ${w}x${h}: C ${us(n.c)} µs, C rgb ${us(n.cRgb!)}, zero-copy ${us(n.nodeZeroCopy)} (${v.zeroCopy.toFixed(2)}x), ` +
          `send ${us(n.nodeSend)} (${v.send.toFixed(2)}x), rgb ${us(n.nodeRgb)} (${v.rgb.toFixed(2)}x C rgb) µs/frame`,
      );
    }
  }
}
idle();
save();
log(`done: ${file}`);
