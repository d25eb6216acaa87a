// formats.ts - pixel formats: the library's names, V4L2 fourccs, and the
// frame-size math (pure; no addon).

/** The frame formats VirtualCamera accepts and Capture can deliver. */
export const PIXEL_FORMATS = ['rgb', 'bgr', 'rgba', 'bgra', 'gray', 'i420', 'nv12', 'yuyv', 'uyvy'] as const;
export type PixelFormat = (typeof PIXEL_FORMATS)[number];

/** Packs four ASCII characters into a V4L2 fourcc number. */
export function fourcc(code: string): number {
  if (code.length !== 4) throw new RangeError(`Expected a 4-character fourcc but received '${code}'`);
  let n = 0;
  for (let i = 3; i >= 0; i--) n = n * 256 + (code.charCodeAt(i) & 0xff);
  return n >>> 0;
}

/** The four characters of a fourcc number ('YUYV'). */
export function fourccToString(n: number): string {
  let s = '';
  for (let i = 0; i < 4; i++) s += String.fromCharCode((n >>> (8 * i)) & 0xff);
  return s;
}

/** Library format -> the V4L2 fourcc with that exact memory layout. */
export const FORMAT_FOURCC: Readonly<Record<PixelFormat, string>> = {
  rgb: 'RGB3', // R,G,B
  bgr: 'BGR3', // B,G,R
  rgba: 'AB24', // R,G,B,A (V4L2_PIX_FMT_RGBA32)
  bgra: 'AR24', // B,G,R,A (V4L2_PIX_FMT_ABGR32)
  gray: 'GREY',
  i420: 'YU12',
  nv12: 'NV12',
  yuyv: 'YUYV',
  uyvy: 'UYVY',
};

const FOURCC_FORMAT: ReadonlyMap<string, PixelFormat> = new Map(
  Object.entries(FORMAT_FOURCC).map(([k, v]) => [v, k as PixelFormat]),
);

/** The library name of a fourcc, if the library speaks it. */
export function formatOfFourcc(code: string): PixelFormat | undefined {
  return FOURCC_FORMAT.get(code);
}

/** The format VirtualCamera asks the device for when given frames in `format`. */
export function defaultNativeFormat(format: PixelFormat): PixelFormat {
  // RGB frames go out as I420, as pyvirtualcam does: every consumer takes it.
  return format === 'rgb' || format === 'bgr' || format === 'rgba' || format === 'bgra' ? 'i420' : format;
}

/** Bytes per pixel of packed formats; planar ones are handled by frameSize. */
export function bytesPerPixel(format: PixelFormat): number {
  switch (format) {
    case 'rgb':
    case 'bgr':
      return 3;
    case 'rgba':
    case 'bgra':
      return 4;
    case 'yuyv':
    case 'uyvy':
      return 2;
    default:
      return 1;
  }
}

/** Formats whose width (and, for 4:2:0, height) must be even. */
export function evenSizeRule(format: PixelFormat): { width: boolean; height: boolean } {
  const planar420 = format === 'i420' || format === 'nv12';
  return { width: planar420 || format === 'yuyv' || format === 'uyvy', height: planar420 };
}

/** Bytes in one tightly packed frame. */
export function frameSize(format: PixelFormat, width: number, height: number): number {
  if (format === 'i420' || format === 'nv12') return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
  return width * height * bytesPerPixel(format);
}

/** Bytes per line of a tightly packed frame (luma plane for planar formats). */
export function packedStride(format: PixelFormat, width: number): number {
  return width * bytesPerPixel(format);
}

/** A frame rate as the fraction V4L2 uses (frames per second = numerator / denominator). */
export interface Fraction {
  numerator: number;
  denominator: number;
}

/** The closest fraction to `fps` with a denominator of at most 1001 (30000/1001 for 29.97...). */
export function fpsToFraction(fps: number): Fraction {
  if (Number.isInteger(fps)) return { numerator: fps, denominator: 1 };
  if (Math.abs(fps - 30000 / 1001) < 1e-3) return { numerator: 30000, denominator: 1001 };
  if (Math.abs(fps - 60000 / 1001) < 1e-3) return { numerator: 60000, denominator: 1001 };
  if (Math.abs(fps - 24000 / 1001) < 1e-3) return { numerator: 24000, denominator: 1001 };
  // Continued fractions (Stern-Brocot best approximation).
  let [h0, h1, k0, k1] = [0, 1, 1, 0];
  let x = fps;
  for (let i = 0; i < 32; i++) {
    const a = Math.floor(x);
    const h2 = a * h1 + h0;
    const k2 = a * k1 + k0;
    if (k2 > 1001) break;
    [h0, h1, k0, k1] = [h1, h2, k1, k2];
    if (Math.abs(x - a) < 1e-12) break;
    x = 1 / (x - a);
  }
  return { numerator: h1, denominator: k1 };
}

export function fractionToFps(f: Fraction): number {
  return f.denominator === 0 ? 0 : f.numerator / f.denominator;
}
