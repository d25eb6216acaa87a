// timeout.test.ts - sustain_framerate repeats the last frame, and timeout
// sends a null frame once the producer stops (and wins over sustain, also
// for a consumer that starts late); sequence numbers and timestamps keep
// increasing through both.
import { afterAll, describe, expect, it } from 'vitest';
import { loadModule, runOk } from '../helpers/kernel.js';
import { consume, sleep, startProducer, waitForProducer } from '../helpers/kmod.js';

describe('sustain_framerate and timeout', () => {
  afterAll(async () => {
    await loadModule();
  });

  it('timeout: null frames follow when the producer stops', async () => {
    await loadModule({ capture_nr: -2 });
    await runOk('v4l2-ctl', ['-d', '/dev/video0', '-c', 'timeout=400']);
    const producer = await startProducer(0, { fps: 15, frames: 20 });
    await waitForProducer(0);
    // 20 real frames, then the producer exits and black frames continue
    const r = await consume(1, { frames: 40, timeoutS: 40 });
    await producer.done;
    expect(r.error, JSON.stringify(r)).toBeUndefined();
    expect(r.frames).toBe(40);
    expect(r.unstamped, 'null frames after the producer left').toBeGreaterThan(5);
    expect(r.torn).toBe(0);
    expect(r.seqBackwards).toBe(0);
    expect(r.tsBackwards).toBe(0);
  });

  it('sustain_framerate: the last frame repeats after the producer stops', async () => {
    await loadModule({ capture_nr: -2 });
    await runOk('v4l2-ctl', ['-d', '/dev/video0', '-c', 'sustain_framerate=1']);
    const producer = await startProducer(0, { fps: 15, frames: 15 });
    await waitForProducer(0);
    const r = await consume(1, { frames: 40, timeoutS: 40 });
    await producer.done;
    expect(r.error, JSON.stringify(r)).toBeUndefined();
    expect(r.frames).toBe(40);
    expect(r.unstamped).toBe(0);
    // repeats carry the same stamp again
    expect(r.stampSkips, JSON.stringify(r)).toBeGreaterThan(5);
    expect(r.seqBackwards).toBe(0);
    expect(r.tsBackwards).toBe(0);
  });

  it('timeout wins over sustain_framerate; a late consumer gets timeout frames at once', async () => {
    await loadModule({ capture_nr: -2 });
    await runOk('v4l2-ctl', ['-d', '/dev/video0', '-c', 'sustain_framerate=1,timeout=300']);
    const producer = await startProducer(0, { fps: 15, frames: 10 });
    await producer.done;
    await sleep(1000);
    // the producer left 1 s ago, longer than the timeout: no repeat of its
    // last (stamped) frame first, only null frames
    const r = await consume(1, { frames: 5, timeoutS: 20 });
    expect(r.error, JSON.stringify(r)).toBeUndefined();
    expect(r.frames).toBe(5);
    expect(r.unstamped, JSON.stringify(r)).toBe(5);
  });
});
