// convert.test.ts - pixel conversions (addon/bt601.cc) against BT.601 reference values,
// (and against ffmpeg's swscale when ffmpeg is installed).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { convertFrame } from '../../../src/convert.js';
import { frameSize } from '../../../src/formats.js';

/** BT.601 limited range, the reference formulas. */
function yuv(r: number, g: number, b: number): [number, number, number] {
  return [
    16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255,
    128 + (-37.797 * r - 74.203 * g + 112 * b) / 255,
    128 + (112 * r - 93.786 * g - 18.214 * b) / 255,
  ];
}

/** A smooth test image: gradients in every channel. */
function testImage(w: number, h: number): Buffer {
  const img = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      img[i] = Math.round((x * 255) / (w - 1));
      img[i + 1] = Math.round((y * 255) / (h - 1));
      img[i + 2] = Math.round(((x + y) * 255) / (w + h - 2));
    }
  }
  return img;
}

function maxDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const W = 64;
const H = 48;

describe('RGB to YUV', () => {
  it('gives the BT.601 values for pure colours', () => {
    const colours: [number, number, number][] = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [255, 255, 255],
      [0, 0, 0],
      [128, 128, 128],
    ];
    for (const [r, g, b] of colours) {
      const rgb = Buffer.alloc(4 * 2 * 3);
      for (let i = 0; i < 8; i++) rgb.set([r, g, b], i * 3);
      const i420 = convertFrame(rgb, 'rgb', 'i420', 4, 2);
      const [y, u, v] = yuv(r, g, b);
      expect(Math.abs(i420[0]! - y), `Y of ${r},${g},${b}`).toBeLessThanOrEqual(0.5 + 1 / 64);
      expect(Math.abs(i420[8]! - u), `U of ${r},${g},${b}`).toBeLessThanOrEqual(0.5 + 1 / 64);
      expect(Math.abs(i420[10]! - v), `V of ${r},${g},${b}`).toBeLessThanOrEqual(0.5 + 1 / 64);
    }
  });

  it('I420: luma per pixel, chroma per 2x2 block, rounded to nearest from the reference', () => {
    const rgb = testImage(W, H);
    const out = convertFrame(rgb, 'rgb', 'i420', W, H);
    let worst = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = (y * W + x) * 3;
        worst = Math.max(worst, Math.abs(out[y * W + x]! - yuv(rgb[i]!, rgb[i + 1]!, rgb[i + 2]!)[0]));
      }
    }
    for (let y = 0; y < H / 2; y++) {
      for (let x = 0; x < W / 2; x++) {
        const acc = [0, 0, 0];
        for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
          const i = ((2 * y + dy) * W + 2 * x + dx) * 3;
          const [, u, v] = yuv(rgb[i]!, rgb[i + 1]!, rgb[i + 2]!);
          acc[1]! += u / 4;
          acc[2]! += v / 4;
        }
        worst = Math.max(worst, Math.abs(out[W * H + y * (W / 2) + x]! - acc[1]!));
        worst = Math.max(worst, Math.abs(out[W * H + (W * H) / 4 + y * (W / 2) + x]! - acc[2]!));
      }
    }
    expect(worst).toBeLessThanOrEqual(0.5 + 1 / 64);
  });

  it('NV12 is I420 with interleaved chroma', () => {
    const rgb = testImage(W, H);
    const i420 = convertFrame(rgb, 'rgb', 'i420', W, H);
    const nv12 = convertFrame(rgb, 'rgb', 'nv12', W, H);
    expect(Buffer.from(nv12.subarray(0, W * H)).equals(Buffer.from(i420.subarray(0, W * H)))).toBe(true);
    const q = (W * H) / 4;
    for (let i = 0; i < q; i++) {
      expect(nv12[W * H + 2 * i]).toBe(i420[W * H + i]);
      expect(nv12[W * H + 2 * i + 1]).toBe(i420[W * H + q + i]);
    }
  });

  it('YUYV: chroma per horizontal pair (rounded to nearest), UYVY the same bytes reordered', () => {
    const rgb = testImage(W, H);
    const yuyv = convertFrame(rgb, 'rgb', 'yuyv', W, H);
    const uyvy = convertFrame(rgb, 'rgb', 'uyvy', W, H);
    let worst = 0;
    for (let p = 0; p < (W * H) / 2; p++) {
      const i = p * 6;
      const a = yuv(rgb[i]!, rgb[i + 1]!, rgb[i + 2]!);
      const b = yuv(rgb[i + 3]!, rgb[i + 4]!, rgb[i + 5]!);
      const ref = [a[0], (a[1] + b[1]) / 2, b[0], (a[2] + b[2]) / 2];
      for (let k = 0; k < 4; k++) worst = Math.max(worst, Math.abs(yuyv[p * 4 + k]! - ref[k]!));
      expect([uyvy[p * 4], uyvy[p * 4 + 1], uyvy[p * 4 + 2], uyvy[p * 4 + 3]]).toEqual([yuyv[p * 4 + 1], yuyv[p * 4], yuyv[p * 4 + 3], yuyv[p * 4 + 2]]);
    }
    expect(worst).toBeLessThanOrEqual(0.5 + 1 / 64);
  });

  it('BGR, RGBA and BGRA give the same result as RGB', () => {
    const rgb = testImage(W, H);
    const n = W * H;
    const bgr = Buffer.alloc(n * 3);
    const rgba = Buffer.alloc(n * 4);
    const bgra = Buffer.alloc(n * 4);
    for (let i = 0; i < n; i++) {
      const [r, g, b] = [rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!];
      bgr.set([b, g, r], i * 3);
      rgba.set([r, g, b, 255], i * 4);
      bgra.set([b, g, r, 255], i * 4);
    }
    const ref = convertFrame(rgb, 'rgb', 'i420', W, H);
    for (const [src, f] of [[bgr, 'bgr'], [rgba, 'rgba'], [bgra, 'bgra']] as const) {
      expect(maxDiff(convertFrame(src, f, 'i420', W, H), ref), f).toBe(0);
    }
  });
});

describe('round trips', () => {
  /** Every 4th level of each channel (64^3 colours), each as a 2x2 block, so subsampling loses nothing. */
  function colourCube(): { rgb: Buffer; w: number; h: number } {
    const w = 512;
    const h = (64 * 64 * 64 * 4) / w;
    const rgb = Buffer.alloc(w * h * 3);
    let k = 0;
    for (let r = 0; r < 64; r++) {
      for (let g = 0; g < 64; g++) {
        for (let b = 0; b < 64; b++, k++) {
          const bx = (k % (w / 2)) * 2;
          const by = Math.floor(k / (w / 2)) * 2;
          const c = [Math.min(255, r * 4 + (r >> 4)), Math.min(255, g * 4 + (g >> 4)), Math.min(255, b * 4 + (b >> 4))];
          for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) rgb.set(c, ((by + dy) * w + bx + dx) * 3);
        }
      }
    }
    return { rgb, w, h };
  }

  for (const [via, f] of [['I420', 'i420'], ['NV12', 'nv12']] as const) {
    it(`RGB -> ${via} -> RGB stays within 2 per channel over the colour cube (saturated colours included)`, () => {
      const { rgb, w, h } = colourCube();
      const back = convertFrame(convertFrame(rgb, 'rgb', f, w, h), f, 'rgb', w, h);
      expect(maxDiff(back, rgb)).toBeLessThanOrEqual(2);
    });
  }

  it('RGB -> YUYV -> RGB stays within 2 per channel on horizontal pairs', () => {
    const { rgb, w, h } = colourCube();
    const back = convertFrame(convertFrame(rgb, 'rgb', 'yuyv', w, h), 'yuyv', 'rgb', w, h);
    expect(maxDiff(back, rgb)).toBeLessThanOrEqual(2);
  });

  it('RGBA and BGRA round trips through I420 agree with RGB', () => {
    const { rgb, w, h } = colourCube();
    const n = w * h;
    const bgra = Buffer.alloc(n * 4);
    for (let i = 0; i < n; i++) bgra.set([rgb[i * 3 + 2]!, rgb[i * 3 + 1]!, rgb[i * 3]!, 255], i * 4);
    const back = convertFrame(convertFrame(bgra, 'bgra', 'i420', w, h), 'i420', 'bgra', w, h);
    expect(maxDiff(back, bgra)).toBeLessThanOrEqual(2);
  });

  it('YUV formats convert among themselves losslessly where they can', () => {
    const i420 = convertFrame(testImage(W, H), 'rgb', 'i420', W, H);
    expect(Buffer.from(convertFrame(convertFrame(i420, 'i420', 'nv12', W, H), 'nv12', 'i420', W, H)).equals(Buffer.from(i420))).toBe(true);
    const yuyv = convertFrame(i420, 'i420', 'yuyv', W, H);
    expect(Buffer.from(convertFrame(convertFrame(yuyv, 'yuyv', 'uyvy', W, H), 'uyvy', 'yuyv', W, H)).equals(Buffer.from(yuyv))).toBe(true);
  });

  it('gray goes to the luma plane and back', () => {
    const gray = Buffer.alloc(W * H);
    for (let i = 0; i < gray.length; i++) gray[i] = i % 256;
    const i420 = convertFrame(gray, 'gray', 'i420', W, H);
    expect(Buffer.from(i420.subarray(0, W * H)).equals(gray)).toBe(true);
    expect(i420.subarray(W * H).every((v) => v === 128)).toBe(true);
    expect(frameSize('gray', W, H)).toBe(W * H);
  });
});

function hasFfmpeg(): boolean {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!hasFfmpeg())('against ffmpeg swscale (needs ffmpeg)', () => {
  for (const [pix, fmt] of [['yuv420p', 'i420'], ['nv12', 'nv12'], ['yuyv422', 'yuyv']] as const) {
    it(`rgb24 -> ${pix} within 2`, () => {
      const rgb = testImage(W, H);
      const ref = execFileSync('ffmpeg', ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-i', '-', '-sws_flags', 'bilinear+accurate_rnd+full_chroma_int', '-f', 'rawvideo', '-pix_fmt', pix, '-'], { input: rgb });
      expect(maxDiff(convertFrame(rgb, 'rgb', fmt, W, H), ref)).toBeLessThanOrEqual(2);
    });
  }
});
