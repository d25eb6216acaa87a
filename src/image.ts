// image.ts - PNG/JPEG decoding (pure JS: pngjs, jpeg-js) and fitting an
// image to a device format (bilinear scale, then conversion, both in the addon), for
// the timeout image. No GStreamer. The decoders load on first use (they are
// most of what the CLI would otherwise read at every start).
import { readFile } from 'node:fs/promises';
import { fourcc } from './formats.js';
import { native } from './native.js';

export interface RgbaImage {
  width: number;
  height: number;
  /** R,G,B,A bytes, tightly packed. */
  data: Uint8Array;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];

/** Decodes a PNG or JPEG (path or bytes) into RGBA. */
export async function decodeImage(source: string | Uint8Array): Promise<RgbaImage> {
  const bytes = typeof source === 'string' ? await readFile(source) : Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  if (PNG_MAGIC.every((b, i) => bytes[i] === b)) {
    const { PNG } = await import('pngjs');
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    const { default: jpeg } = await import('jpeg-js');
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512 });
    return { width: img.width, height: img.height, data: img.data };
  }
  throw new TypeError(`Expected a PNG or JPEG image${typeof source === 'string' ? ` in '${source}'` : ''}`);
}

export interface TargetFormat {
  width: number;
  height: number;
  /** V4L2 fourcc string, e.g. 'YUYV'. */
  fourcc: string;
  bytesperline: number;
  sizeimage: number;
}

/** Scales (if needed) and converts an RGBA image into one frame of `target`. */
export function imageToFrame(img: RgbaImage, target: TargetFormat): Buffer {
  const binding = native();
  let rgba = img.data;
  if (img.width !== target.width || img.height !== target.height) {
    const scaled = new Uint8Array(target.width * target.height * 4);
    binding.scaleArgb(img.data, img.width, img.height, scaled, target.width, target.height);
    rgba = scaled;
  }
  const frame = Buffer.alloc(target.sizeimage);
  binding.convert(rgba, fourcc('AB24'), 0, frame, fourcc(target.fourcc), target.bytesperline, target.width, target.height);
  return frame;
}
