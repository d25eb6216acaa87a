// pacing.test.ts - the pacer keeps absolute frame times (no drift), catches
// up after a short hiccup, and restarts instead of bursting after a long
// stall; the fps counter averages.
import { describe, expect, it } from 'vitest';
import { type Clock, FpsCounter, Pacer } from '../../../src/pacing.js';

/** A fake clock; every sleep overshoots by `overshoot` ms, like a real timer. */
function fakeClock(overshoot = 0): Clock & { t: number; sleeps: number[] } {
  const c = {
    t: 0,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.t += ms + overshoot;
    },
  };
  return c;
}

describe('Pacer', () => {
  it('holds the rate exactly despite sleep overshoot and work time', async () => {
    const clock = fakeClock(1.3);
    const pacer = new Pacer(30, clock);
    for (let i = 0; i <= 300; i++) {
      await pacer.next();
      clock.t += 5; // the work of one frame
    }
    // 300 periods after the first frame, plus at most one overshoot and the work.
    const elapsed = clock.t - 5;
    expect(elapsed).toBeGreaterThanOrEqual(10_000);
    expect(elapsed).toBeLessThan(10_000 + 1.3 + 5 + 0.001);
  });

  it('catches up after a short hiccup, keeping the average rate', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(30, clock);
    await pacer.next();
    const t0 = clock.t;
    for (let i = 1; i <= 300; i++) {
      if (i === 100) clock.t += 120; // a 120 ms stall (under load, a GC...)
      if (i === 200) clock.t += 900; // and a long one, still under MAX_CATCH_UP_MS
      await pacer.next();
    }
    expect(clock.t - t0).toBeCloseTo(10_000, 6);
    // the frames right after the stall went out without sleeping
    expect(clock.sleeps.filter((ms) => ms < 33).length).toBeGreaterThanOrEqual(1);
  });

  it('restarts the schedule after falling behind', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(10, clock);
    await pacer.next();
    clock.t += 2000; // stalled for 20 frames, over MAX_CATCH_UP_MS
    await pacer.next(); // no sleep, no burst afterwards
    expect(clock.sleeps).toEqual([]);
    await pacer.next();
    expect(clock.sleeps).toEqual([100]);
  });
});

describe('FpsCounter', () => {
  it('converges to the send rate', () => {
    const clock = { now: () => t };
    let t = 0;
    const c = new FpsCounter(clock);
    expect(c.fps).toBe(0);
    for (let i = 0; i < 100; i++) {
      c.tick();
      t += 40;
    }
    expect(c.fps).toBeCloseTo(25, 5);
  });
});
