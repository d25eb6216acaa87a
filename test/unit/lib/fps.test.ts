// fps.test.ts - fractional frame rates as callers write them: decimals
// (29.97 is NTSC's 30000/1001), N/D strings and fractions, in caps strings
// too, with pointed errors for the rest.
import { describe, expect, it } from 'vitest';
import { parseCaps, parseFps, toFpsFraction } from '../../../src/caps.js';

describe('parseFps with decimals', () => {
  it.each([
    ['29.97', 30000, 1001],
    ['59.94', 60000, 1001],
    ['23.976', 24000, 1001],
    ['12.5', 25, 2],
    ['@29.97', 30000, 1001],
    ['.5', 1, 2],
  ])('%s is %i/%i', (text, numerator, denominator) => {
    expect(parseFps(text)).toEqual({ numerator, denominator });
  });

  it('refuses what is not a rate', () => {
    expect(() => parseFps('29,97')).toThrow(TypeError);
    expect(() => parseFps('0.0')).toThrow(RangeError);
    expect(() => parseFps('1.2.3')).toThrow(/expected N, N\/D or a decimal/);
  });
});

describe('caps with a decimal rate', () => {
  it('parses YUYV:640x480@29.97 as 30000/1001', () => {
    expect(parseCaps('YUYV:640x480@29.97')).toEqual({ fourcc: 'YUYV', width: 640, height: 480, fps: { numerator: 30000, denominator: 1001 } });
  });
});

describe('toFpsFraction', () => {
  it('takes numbers, strings and fractions', () => {
    expect(toFpsFraction('fps', 30)).toEqual({ numerator: 30, denominator: 1 });
    expect(toFpsFraction('fps', 29.97)).toEqual({ numerator: 30000, denominator: 1001 });
    expect(toFpsFraction('fps', 30000 / 1001)).toEqual({ numerator: 30000, denominator: 1001 });
    expect(toFpsFraction('fps', '30000/1001')).toEqual({ numerator: 30000, denominator: 1001 });
    expect(toFpsFraction('fps', { numerator: 25, denominator: 1 })).toEqual({ numerator: 25, denominator: 1 });
  });

  it('names the option in its errors', () => {
    expect(() => toFpsFraction('fps', 0)).toThrow(new RangeError('Expected number between 0 and 1000 for fps but received 0'));
    expect(() => toFpsFraction('fps', Number.NaN)).toThrow(RangeError);
    expect(() => toFpsFraction('fps', '2000')).toThrow('Expected at most 1000 fps for fps but received 2000');
    expect(() => toFpsFraction('fps', { numerator: 1.5, denominator: 1 })).toThrow(TypeError);
    expect(() => toFpsFraction('fps', null)).toThrow('but received null');
  });
});
