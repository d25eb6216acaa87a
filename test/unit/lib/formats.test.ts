// formats.test.ts - fourcc packing and frame-size math.
import { describe, expect, it } from 'vitest';
import { defaultNativeFormat, fourcc, fourccToString, fpsToFraction, frameSize, PIXEL_FORMATS } from '../../../src/formats.js';

describe('fourcc', () => {
  it('packs little-endian like v4l2_fourcc()', () => {
    expect(fourcc('YUYV')).toBe(0x56595559);
    expect(fourcc('YU12')).toBe(0x32315559);
    expect(fourccToString(0x3231564e)).toBe('NV12');
    expect(() => fourcc('YUV')).toThrow(RangeError);
  });
});

describe('frameSize', () => {
  it('matches the V4L2 sizes for 1080p', () => {
    const sizes = Object.fromEntries(PIXEL_FORMATS.map((f) => [f, frameSize(f, 1920, 1080)]));
    expect(sizes).toEqual({
      rgb: 6220800,
      bgr: 6220800,
      rgba: 8294400,
      bgra: 8294400,
      gray: 2073600,
      i420: 3110400,
      nv12: 3110400,
      yuyv: 4147200,
      uyvy: 4147200,
    });
  });
  it('rounds chroma up for odd sizes', () => {
    expect(frameSize('i420', 3, 3)).toBe(9 + 2 * 2 * 2);
  });
});

describe('defaultNativeFormat', () => {
  it('sends RGB-like input as I420 and YUV as is', () => {
    expect(defaultNativeFormat('rgb')).toBe('i420');
    expect(defaultNativeFormat('bgra')).toBe('i420');
    expect(defaultNativeFormat('yuyv')).toBe('yuyv');
    expect(defaultNativeFormat('gray')).toBe('gray');
  });
});

describe('fpsToFraction', () => {
  it('finds exact and NTSC fractions', () => {
    expect(fpsToFraction(30)).toEqual({ numerator: 30, denominator: 1 });
    expect(fpsToFraction(29.97)).toEqual({ numerator: 30000, denominator: 1001 });
    expect(fpsToFraction(12.5)).toEqual({ numerator: 25, denominator: 2 });
  });
});
