// caps.test.ts - parsing and formatting 'FOURCC:WxH@fps' caps strings.
import { describe, expect, it } from 'vitest';
import { capsFps, formatCaps, parseCaps, parseFps } from '../../../src/caps.js';

describe('parseCaps', () => {
  it('parses the full form', () => {
    expect(parseCaps('UYVY:640x480@30')).toEqual({ fourcc: 'UYVY', width: 640, height: 480, fps: { numerator: 30, denominator: 1 } });
  });
  it('parses a fractional rate', () => {
    const c = parseCaps('NV12:1280x720@30000/1001');
    expect(c.fps).toEqual({ numerator: 30000, denominator: 1001 });
    expect(capsFps(c)).toBeCloseTo(29.97, 2);
  });
  it('allows leaving out size and rate', () => {
    expect(parseCaps('YUYV')).toEqual({ fourcc: 'YUYV' });
    expect(parseCaps('YUYV:320x240')).toEqual({ fourcc: 'YUYV', width: 320, height: 240 });
    expect(parseCaps('YU12@25')).toEqual({ fourcc: 'YU12', fps: { numerator: 25, denominator: 1 } });
  });
  it('keeps fourccs with spaces', () => {
    expect(parseCaps('Y16 :8x8').fourcc).toBe('Y16 ');
  });
  it('rejects malformed caps with a pointed message', () => {
    expect(() => parseCaps('YUV:640x480')).toThrow(/4-character FOURCC/);
    expect(() => parseCaps('YUYV:640x')).toThrow(TypeError);
    expect(() => parseCaps('YUYV:0x480')).toThrow(/Invalid width/);
    expect(() => parseCaps('YUYV:640x480@0')).toThrow(RangeError);
    expect(() => parseCaps('video/x-raw,format=YUY2')).toThrow(/GStreamer caps/);
    expect(() => parseCaps(42)).toThrow(TypeError);
  });
});

describe('formatCaps', () => {
  it('round-trips', () => {
    for (const s of ['UYVY:640x480@30', 'NV12:1920x1080@30000/1001', 'YUYV', 'GREY:2x1']) {
      expect(formatCaps(parseCaps(s))).toBe(s);
    }
  });
});

describe('parseFps', () => {
  it('accepts N, @N and N/D', () => {
    expect(parseFps('30')).toEqual({ numerator: 30, denominator: 1 });
    expect(parseFps('@60')).toEqual({ numerator: 60, denominator: 1 });
    expect(parseFps('30000/1001')).toEqual({ numerator: 30000, denominator: 1001 });
    expect(() => parseFps('fast')).toThrow(/Invalid frame rate/);
  });
});
