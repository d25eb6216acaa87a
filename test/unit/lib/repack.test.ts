// repack.test.ts - the conversions that move bytes rather than compute
// colour (addon/planes.cc: RGB orders, grey, YUV layouts among themselves)
// and bilinear scaling (addon/scale.cc), against values worked out by hand.
import { describe, expect, it } from 'vitest';
import { convertFrame } from '../../../src/convert.js';
import { native } from '../../../src/native.js';

const W = 8;
const H = 4;
const bytes = (n: number, f: (i: number) => number) => Buffer.from(Array.from({ length: n }, (_, i) => f(i) & 0xff));

describe('RGB orders and grey', () => {
  const rgb = bytes(W * H * 3, (i) => i * 37 + 11);

  it('RGB <-> BGR swaps R and B, and back is exact', () => {
    const bgr = convertFrame(rgb, 'rgb', 'bgr', W, H);
    for (let p = 0; p < W * H; p++) expect([bgr[3 * p], bgr[3 * p + 1], bgr[3 * p + 2]]).toEqual([rgb[3 * p + 2], rgb[3 * p + 1], rgb[3 * p]]);
    expect(Buffer.from(convertFrame(bgr, 'bgr', 'rgb', W, H)).equals(rgb)).toBe(true);
  });

  it('RGB -> RGBA adds alpha 255; RGBA <-> BGRA keeps alpha', () => {
    const rgba = convertFrame(rgb, 'rgb', 'rgba', W, H);
    for (let p = 0; p < W * H; p++) expect([...rgba.subarray(4 * p, 4 * p + 4)]).toEqual([rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2], 255]);
    const withAlpha = bytes(W * H * 4, (i) => i * 13 + 5);
    const bgra = convertFrame(withAlpha, 'rgba', 'bgra', W, H);
    for (let p = 0; p < W * H; p++) {
      expect([...bgra.subarray(4 * p, 4 * p + 4)]).toEqual([withAlpha[4 * p + 2], withAlpha[4 * p + 1], withAlpha[4 * p], withAlpha[4 * p + 3]]);
    }
  });

  it('grey -> RGB replicates; RGB -> grey is full-range luma (0.299, 0.587, 0.114)', () => {
    const grey = bytes(W * H, (i) => i * 9);
    const back = convertFrame(grey, 'gray', 'bgr', W, H);
    for (let p = 0; p < W * H; p++) expect([...back.subarray(3 * p, 3 * p + 3)]).toEqual([grey[p], grey[p], grey[p]]);
    expect(Buffer.from(convertFrame(back, 'bgr', 'gray', W, H)).equals(grey)).toBe(true);
    const colours = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
    expect([...convertFrame(colours, 'rgb', 'gray', 4, 1)]).toEqual([76, 150, 29, 255]);
  });
});

describe('YUV layouts among themselves and grey', () => {
  // A YUYV image whose chroma differs between rows, so averaging shows.
  const yuyv = bytes(W * H * 2, (i) => (i % 2 === 0 ? i * 3 : 40 + ((i >> 1) % 4) * 20 + Math.floor(i / (W * 2)) * 7));

  it('YUYV -> I420: luma kept, chroma the rounded mean of two rows', () => {
    const i420 = convertFrame(yuyv, 'yuyv', 'i420', W, H);
    const cw = W / 2;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) expect(i420[y * W + x]).toBe(yuyv[y * W * 2 + x * 2]);
    for (let cy = 0; cy < H / 2; cy++) {
      for (let cx = 0; cx < cw; cx++) {
        const at = (row: number, k: number) => yuyv[row * W * 2 + cx * 4 + k]!;
        expect(i420[W * H + cy * cw + cx]).toBe((at(2 * cy, 1) + at(2 * cy + 1, 1) + 1) >> 1);
        expect(i420[W * H + (W * H) / 4 + cy * cw + cx]).toBe((at(2 * cy, 3) + at(2 * cy + 1, 3) + 1) >> 1);
      }
    }
  });

  it('I420 -> UYVY repeats each chroma row for two rows; NV12 gives the same', () => {
    const i420 = convertFrame(yuyv, 'yuyv', 'i420', W, H);
    const uyvy = convertFrame(i420, 'i420', 'uyvy', W, H);
    const cw = W / 2;
    for (let y = 0; y < H; y++) {
      for (let cx = 0; cx < cw; cx++) {
        const o = y * W * 2 + cx * 4;
        const cy = y >> 1;
        expect([uyvy[o], uyvy[o + 1], uyvy[o + 2], uyvy[o + 3]]).toEqual([
          i420[W * H + cy * cw + cx], i420[y * W + 2 * cx], i420[W * H + (W * H) / 4 + cy * cw + cx], i420[y * W + 2 * cx + 1],
        ]);
      }
    }
    const nv12 = convertFrame(i420, 'i420', 'nv12', W, H);
    expect(Buffer.from(convertFrame(nv12, 'nv12', 'uyvy', W, H)).equals(Buffer.from(uyvy))).toBe(true);
  });

  it('grey is the luma plane: neutral chroma on the way in, luma only on the way out', () => {
    const grey = bytes(W * H, (i) => i * 5);
    const packed = convertFrame(grey, 'gray', 'yuyv', W, H);
    for (let p = 0; p < W * H; p++) expect(packed[2 * p]).toBe(grey[p]);
    for (let p = 0; p < W * H; p++) expect(packed[2 * p + 1]).toBe(128);
    expect(Buffer.from(convertFrame(packed, 'yuyv', 'gray', W, H)).equals(grey)).toBe(true);
    expect(Buffer.from(convertFrame(convertFrame(grey, 'gray', 'nv12', W, H), 'nv12', 'gray', W, H)).equals(grey)).toBe(true);
  });
});

describe('scaleArgb (bilinear, centres aligned)', () => {
  const scale = (src: Uint8Array, sw: number, sh: number, dw: number, dh: number) => {
    const dst = new Uint8Array(dw * dh * 4);
    native().scaleArgb(src, sw, sh, dst, dw, dh);
    return dst;
  };

  it('keeps an image of the same size', () => {
    const src = bytes(5 * 3 * 4, (i) => i * 29);
    expect(Buffer.from(scale(src, 5, 3, 5, 3)).equals(src)).toBe(true);
  });

  it('halving averages 2x2 blocks', () => {
    const src = bytes(4 * 4 * 4, (i) => (i * 53) % 251);
    const out = scale(src, 4, 4, 2, 2);
    for (let y = 0; y < 2; y++) {
      for (let x = 0; x < 2; x++) {
        for (let c = 0; c < 4; c++) {
          const px = (yy: number, xx: number) => src[(yy * 4 + xx) * 4 + c]!;
          const mean = (px(2 * y, 2 * x) + px(2 * y, 2 * x + 1) + px(2 * y + 1, 2 * x) + px(2 * y + 1, 2 * x + 1)) / 4;
          expect(Math.abs(out[(y * 2 + x) * 4 + c]! - mean)).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('doubling interpolates at 1/4 and 3/4 and clamps at the edges', () => {
    const src = new Uint8Array([0, 0, 0, 0, 255, 255, 255, 255]);
    const out = scale(src, 2, 1, 4, 1);
    const want = [0, 63.75, 191.25, 255];
    for (let x = 0; x < 4; x++) expect(Math.abs(out[x * 4]! - want[x]!)).toBeLessThanOrEqual(1);
  });
});
