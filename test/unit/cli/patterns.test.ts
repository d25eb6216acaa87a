// patterns.test.ts - the test patterns `stream` sends.
import { describe, expect, it } from 'vitest';
import { ballPosition, colourBars, makePattern } from '../../../cli/patterns.js';

describe('patterns', () => {
  it('colour bars start white-ish and end near black', () => {
    const f = colourBars(80, 2);
    expect([...f.subarray(0, 3)]).toEqual([191, 191, 191]);
    expect([...f.subarray(79 * 3, 80 * 3)]).toEqual([16, 16, 16]);
    expect(f.subarray(0, 240).equals(f.subarray(240, 480))).toBe(true);
  });

  it('the ball stays inside the frame and moves every frame', () => {
    const r = 10;
    let prev = ballPosition(0, 64, 48, r);
    for (let n = 1; n < 500; n++) {
      const p = ballPosition(n, 64, 48, r);
      expect(p.x).toBeGreaterThanOrEqual(r);
      expect(p.x).toBeLessThanOrEqual(64 - r);
      expect(p.y).toBeGreaterThanOrEqual(r);
      expect(p.y).toBeLessThanOrEqual(48 - r);
      expect(p.x !== prev.x || p.y !== prev.y).toBe(true);
      prev = p;
    }
  });

  it('ball frames differ from bars and from each other', () => {
    const bars = colourBars(64, 48);
    const ball = makePattern('ball', 64, 48);
    const a = Buffer.from(ball(0));
    const b = Buffer.from(ball(5));
    expect(a.equals(bars)).toBe(false);
    expect(a.equals(b)).toBe(false);
    expect(a.length).toBe(64 * 48 * 3);
  });
});
