// faults.test.ts - torture scenarios 3 and 4, processes killed with SIGKILL:
// a producer killed mid-stream leaves its consumers with the timeout image
// (or null frames, or nothing while no timeout is set), never a partial or
// stale frame, until a new producer resumes the stream; a consumer killed
// while holding dequeued buffers, or while blocked in DQBUF or read(), does
// not disturb the producer or the other consumers, and the node stays
// usable. Every frame is checked byte by byte (v4l2l-fault watch).
import { afterAll, describe, expect, it } from 'vitest';
import { loadModule, moduleLoaded, type RunResult, runOk, unloadModule } from '../guest/helpers/kernel.js';
import { type Background, background, consume, prog, sleep, startProducer, sysfs, waitForProducer, waitForReaders } from '../guest/helpers/kmod.js';
import { addDevice, ctlio } from './helpers/ctl.js';
import { scaled, tortureSeed } from './helpers/mode.js';

interface Progress {
  frames: number;
  producer: number;
  timeout: number;
  null: number;
  bad: number;
}

interface Segment {
  kind: 'producer' | 'timeout' | 'null' | 'bad';
  count: number;
  first: number;
  last: number;
  skips: number;
  start: number;
  end: number;
}

interface WatchReport extends Progress {
  seqBackwards: number;
  tsBackwards: number;
  bytesMismatch: number;
  maxGapMs: number;
  droppedSegments: number;
  segments: Segment[];
  error?: string;
}

interface Watch {
  bg: Background;
  progress(): Progress;
  /** ends the watch (SIGTERM) and returns its report */
  report(): Promise<WatchReport>;
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !cond(); await sleep(50)) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}

/** Starts a checking consumer (v4l2l-fault watch) on /dev/video<nr>, resolved once it streams. */
async function startWatch(nr: number): Promise<Watch> {
  const bg = background(await prog('v4l2l-fault'), ['watch', '-d', `/dev/video${nr}`, '-b', '4', '-t', '600'], 700_000);
  let progress: Progress = { frames: 0, producer: 0, timeout: 0, null: 0, bad: 0 };
  let streaming = false;
  let error = '';
  let pending = '';
  bg.child.stdout?.on('data', (b: Buffer) => {
    pending += b.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const l of lines) {
      const o = JSON.parse(l) as Partial<Progress> & { progress?: number; streaming?: number; error?: string };
      if (o.progress) progress = o as Progress;
      if (o.streaming) streaming = true;
      if (o.error) error = l;
    }
  });
  let exited = false;
  void bg.done.then(() => (exited = true));
  await waitFor(() => streaming || exited, `a watching consumer on /dev/video${nr}`);
  if (!streaming) throw new Error(`watch /dev/video${nr} did not start: ${error} ${JSON.stringify(await bg.done)}`);
  return {
    bg,
    progress: () => progress,
    async report() {
      const r = await bg.stop();
      const last = r.stdout.trim().split('\n').pop() ?? '';
      const rep = JSON.parse(last) as WatchReport;
      expect(rep.error, last).toBeUndefined();
      return rep;
    },
  };
}

/** Every frame whole and in order: no torn, stale-mixed or short frame. */
function expectWholeFrames(r: WatchReport): void {
  const s = JSON.stringify(r);
  expect(r.bad, s).toBe(0);
  expect(r.bytesMismatch, s).toBe(0);
  expect(r.seqBackwards, s).toBe(0);
  expect(r.tsBackwards, s).toBe(0);
}

async function kill9(b: Background): Promise<RunResult> {
  b.child.kill('SIGKILL');
  const r = await b.done;
  expect(r.signal).toBe('SIGKILL');
  return r;
}

async function waitForNoProducer(nr: number): Promise<void> {
  await waitFor(() => sysfs(nr, 'state') === 'output', `/dev/video${nr} without a producer`, 20_000);
}

/** a little PRNG for kill times, from TORTURE_SEED */
function prng(seed: number): () => number {
  let s = seed || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

interface Hog {
  bg: Background;
  /** what it printed so far */
  output(): string;
}

/** Starts v4l2l-fault hog (a consumer that holds buffers or blocks) on /dev/video<nr>. */
async function startHog(nr: number, args: readonly string[]): Promise<Hog> {
  const bg = background(await prog('v4l2l-fault'), ['hog', '-d', `/dev/video${nr}`, ...args], 300_000);
  let out = '';
  bg.child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return { bg, output: () => out };
}

async function setTimeoutControl(out: number, ms: number): Promise<void> {
  await runOk('v4l2-ctl', ['-d', `/dev/video${out}`, '-c', `timeout=${ms}`]);
}

describe('producer killed mid-stream', () => {
  afterAll(async () => {
    if (!moduleLoaded()) await loadModule();
  });

  it('consumers get the timeout image, then the next producer: whole frames only', async () => {
    await loadModule({ devices: 0 });
    const { out, cap } = await addDevice(['capture_nr=-2', 'label=fault timeout image']);
    await setTimeoutControl(out, 500);
    const p1 = await startProducer(out, { mmap: true, fps: 30 });
    let p2: Background | undefined;
    const watches: Watch[] = [];
    try {
      await waitForProducer(out);
      await runOk(await prog('v4l2l-fault'), ['image', '-d', `/dev/video${out}`]);
      watches.push(await startWatch(cap));
      await waitForReaders(out, 1);
      watches.push(await startWatch(cap));
      const [w1, w2] = watches as [Watch, Watch];
      await waitFor(() => w2.progress().producer >= 15, '15 frames of the first producer');

      await kill9(p1);
      await waitForNoProducer(out);
      await waitFor(() => w1.progress().timeout >= 15 && w2.progress().timeout >= 15, '15 timeout frames');

      p2 = await startProducer(out, { fps: 30 }); // write() this time
      await waitForProducer(out);
      const seen = w2.progress().producer;
      await waitFor(() => w1.progress().producer >= seen + 20 && w2.progress().producer >= seen + 20, '20 frames of the new producer');
      for (const w of watches) {
        const r = await w.report();
        const s = JSON.stringify(r);
        expectWholeFrames(r);
        expect(r.null, s).toBe(0);
        expect(r.segments.map((g) => g.kind)).toEqual(['producer', 'timeout', 'producer']);
        const [first, timeout, second] = r.segments as [Segment, Segment, Segment];
        // the timeout image comes once the timeout (500 ms) has elapsed
        expect(timeout.start - first.end, s).toBeGreaterThanOrEqual(0.4);
        expect(timeout.count, s).toBeGreaterThanOrEqual(15);
        // then only the new producer's frames, from its start: nothing stale
        expect(second.first, s).toBeLessThan(first.last);
        expect(second.first, s).toBeLessThan(10);
        expect(second.count, s).toBeGreaterThanOrEqual(20);
      }
    } finally {
      for (const w of watches) await w.bg.stop();
      await p1.stop();
      await p2?.stop();
    }
    expect((await ctlio(['remove', String(out)])).errno).toBe(0);
  });

  it('without a timeout consumers just wait, then get the next producer', async () => {
    await loadModule({ devices: 0 });
    const { out, cap } = await addDevice(['capture_nr=-2']);
    const p1 = await startProducer(out, { fps: 30 }); // write()
    let p2: Background | undefined;
    let w: Watch | undefined;
    try {
      await waitForProducer(out);
      w = await startWatch(cap);
      const watch = w;
      await waitFor(() => watch.progress().producer >= 15, '15 frames of the first producer');
      await kill9(p1);
      await waitForNoProducer(out);
      // progress lines come every 250 ms: let the last frames show first
      await sleep(750);
      const before = watch.progress().frames;
      await sleep(2000);
      expect(watch.progress().frames, 'frames while no producer is there').toBe(before);

      p2 = await startProducer(out, { mmap: true, fps: 30 });
      await waitForProducer(out);
      await waitFor(() => watch.progress().producer >= before + 20, '20 frames of the new producer');
      const r = await watch.report();
      const s = JSON.stringify(r);
      expectWholeFrames(r);
      expect(r.timeout + r.null, s).toBe(0);
      expect(r.segments.map((g) => g.kind)).toEqual(['producer', 'producer']);
      expect(r.maxGapMs, s).toBeGreaterThanOrEqual(1900);
      expect(r.segments[1]!.first, s).toBeLessThan(10);
    } finally {
      await w?.bg.stop();
      await p1.stop();
      await p2?.stop();
    }
    expect((await ctlio(['remove', String(out)])).errno).toBe(0);
  });

  it('a timeout without an image gives black null frames until the next producer', async () => {
    await loadModule({ devices: 0 });
    const { out, cap } = await addDevice(['capture_nr=-2']);
    await setTimeoutControl(out, 300);
    const p1 = await startProducer(out, { mmap: true, fps: 30 });
    let p2: Background | undefined;
    let w: Watch | undefined;
    try {
      await waitForProducer(out);
      w = await startWatch(cap);
      const watch = w;
      await waitFor(() => watch.progress().producer >= 10, '10 frames of the first producer');
      await kill9(p1);
      await waitFor(() => watch.progress().null >= 10, '10 null frames');
      p2 = await startProducer(out, { mmap: true, fps: 30 });
      const seen = watch.progress().producer;
      await waitFor(() => watch.progress().producer >= seen + 15, '15 frames of the new producer');
      const r = await watch.report();
      expectWholeFrames(r);
      expect(r.timeout).toBe(0);
      expect(r.segments.map((g) => g.kind)).toEqual(['producer', 'null', 'producer']);
    } finally {
      await w?.bg.stop();
      await p1.stop();
      await p2?.stop();
    }
    expect((await ctlio(['remove', String(out)])).errno).toBe(0);
  });

  it('combined exclusive_caps node: a consumer on the same node waits, then gets the next producer', async () => {
    await loadModule({ devices: 1, exclusive_caps: 1 });
    const p1 = await startProducer(0, { fps: 30, mmap: true });
    let p2: Background | undefined;
    let w: Watch | undefined;
    try {
      await waitForProducer(0);
      w = await startWatch(0);
      const watch = w;
      await waitFor(() => watch.progress().producer >= 10, '10 frames of the first producer');
      await kill9(p1);
      await waitForNoProducer(0);
      // the consumer keeps its capture direction; a new producer may take the output
      p2 = await startProducer(0, { fps: 30 });
      await waitForProducer(0);
      const seen = watch.progress().producer;
      await waitFor(() => watch.progress().producer >= seen + 15, '15 frames of the new producer');
      const r = await watch.report();
      expectWholeFrames(r);
      expect(r.segments.map((g) => g.kind)).toEqual(['producer', 'producer']);
    } finally {
      await w?.bg.stop();
      await p1.stop();
      await p2?.stop();
    }
    expect((await ctlio(['remove', '0'])).errno).toBe(0);
  });

  const kills = scaled(3, 30);
  it(`a fast 640x480 producer killed at random moments, ${kills} times: whole frames only`, async () => {
    await loadModule({ devices: 0 });
    const { out, cap } = await addDevice(['capture_nr=-2']);
    await setTimeoutControl(out, 250);
    const rand = prng(tortureSeed);
    let w: Watch | undefined;
    try {
      // the format first, so that the consumer's buffers match every producer's
      const first = await startProducer(out, { size: '640x480', fps: 60 });
      await waitForProducer(out);
      w = await startWatch(cap);
      const watch = w;
      let p = first;
      for (let i = 0; i < kills; i++) {
        if (i) {
          p = await startProducer(out, { size: '640x480', fps: 60, mmap: i % 2 === 1 });
          await waitForProducer(out);
        }
        const seen = watch.progress().producer;
        await waitFor(() => watch.progress().producer > seen, `frames of producer ${i}`);
        await sleep(100 + rand() * 600);
        await kill9(p);
        await waitForNoProducer(out);
      }
      await waitFor(() => watch.progress().null > 0, 'null frames after the last kill');
      const r = await watch.report();
      expectWholeFrames(r);
      expect(r.producer, JSON.stringify(r)).toBeGreaterThanOrEqual(kills);
    } finally {
      await w?.bg.stop();
    }
    expect((await ctlio(['remove', String(out)])).errno).toBe(0);
  });
});

describe('consumer killed', () => {
  afterAll(async () => {
    if (!moduleLoaded()) await loadModule();
  });

  it.each([
    [3, 4],
    [4, 4],
  ])('holding %i of its %i buffers: the producer and the other consumer go on; the node is reusable', async (hold, bufs) => {
    await loadModule({ devices: 0 });
    const { out, cap } = await addDevice(['capture_nr=-2']);
    const producer = await startProducer(out, { mmap: true, fps: 30 });
    let hog: Hog | undefined;
    let w: Watch | undefined;
    try {
      // the producer's format first: buffers of another format get no frames
      await waitForProducer(out);
      hog = await startHog(cap, ['-b', String(bufs), '-k', String(hold)]);
      const h = hog;
      // the hog streams first (it owns the node), the watcher joins
      await waitForReaders(out, 1);
      w = await startWatch(cap);
      const watch = w;
      await waitForReaders(out, 2);
      await waitFor(() => h.bg.child.exitCode !== null || /holding/.test(h.output()), 'the hog to hold its buffers');
      expect(h.output()).toMatch(new RegExp(`"holding":${hold}`));

      await kill9(h.bg);
      await waitFor(() => sysfs(out, 'readers') === '1', 'the killed consumer to be gone');
      const seen = watch.progress().producer;
      const framesIn = Number(sysfs(out, 'frames'));
      await sleep(1500);
      expect(watch.progress().producer, 'the other consumer keeps getting frames').toBeGreaterThan(seen + 15);
      expect(Number(sysfs(out, 'frames')), 'the producer keeps sending').toBeGreaterThan(framesIn + 15);
      expect(producer.child.exitCode, 'the producer is still running').toBeNull();

      // the node takes new consumers: mmap and read()
      for (const read of [false, true]) {
        const r = await consume(cap, { frames: 20, read });
        expect(r.error, JSON.stringify(r)).toBeUndefined();
        expect(r).toMatchObject({ frames: 20, torn: 0, unstamped: 0, bytesMismatch: 0 });
      }
      const rep = await watch.report();
      expectWholeFrames(rep);
      expect(rep.segments.map((g) => g.kind)).toEqual(['producer']);
    } finally {
      hog?.bg.child.kill('SIGKILL');
      await w?.bg.stop();
      await producer.stop();
    }
    expect((await ctlio(['remove', String(out)])).errno).toBe(0);
  });

  it('blocked in DQBUF and in read(), with no producer: SIGKILL ends them; the node is reusable', async () => {
    await loadModule({ devices: 0 });
    const { out, cap } = await addDevice(['capture_nr=-2']);
    const blocked = await startHog(cap, ['-B']);
    let reader: Hog | undefined;
    try {
      await waitForReaders(out, 1);
      // a read() consumer may join once the first one streams
      reader = await startHog(cap, ['-R']);
      const r = reader;
      await waitFor(() => /waiting/.test(r.output()), 'the read() consumer');
      await waitForReaders(out, 2);
      await sleep(500);
      for (const { bg: b } of [blocked, r]) {
        const t0 = Date.now();
        await kill9(b);
        expect(Date.now() - t0, 'SIGKILL ends a blocked consumer at once').toBeLessThan(5000);
      }
      await waitFor(() => sysfs(out, 'readers') === '0', 'no consumers left');
      const producer = await startProducer(out, { fps: 30 });
      try {
        await waitForProducer(out);
        const r = await consume(cap, { frames: 20 });
        expect(r).toMatchObject({ frames: 20, torn: 0, unstamped: 0 });
      } finally {
        await producer.stop();
      }
    } finally {
      blocked.bg.child.kill('SIGKILL');
      reader?.bg.child.kill('SIGKILL');
    }
    expect((await ctlio(['remove', String(out)])).errno).toBe(0);
  });

  it('the module unloads cleanly afterwards', async () => {
    await unloadModule();
    expect(moduleLoaded()).toBe(false);
  });
});

