// convert.ts - frame conversion between the library's formats (addon/convert.cc
// does the pixels), with size checks done here so errors name the caller's values.
import { FORMAT_FOURCC, fourcc, frameSize, evenSizeRule, PIXEL_FORMATS, type PixelFormat } from './formats.js';
import { native } from './native.js';
import { checkOneOf, checkPositiveInteger, invalidParameter } from './validate.js';

/**
 * Converts one tightly packed frame from `from` to `to`; returns `target`
 * (allocated when not given). BT.601 limited range for YUV, as ffmpeg's default.
 */
export function convertFrame(src: Uint8Array, from: PixelFormat, to: PixelFormat, width: number, height: number, target?: Uint8Array): Uint8Array {
  checkOneOf('from', from, PIXEL_FORMATS);
  checkOneOf('to', to, PIXEL_FORMATS);
  checkPositiveInteger('width', width, 16384);
  checkPositiveInteger('height', height, 16384);
  if (!(src instanceof Uint8Array)) throw invalidParameter('src', 'Uint8Array or Buffer', src);
  for (const f of [from, to]) {
    const even = evenSizeRule(f);
    if ((even.width && width % 2) || (even.height && height % 2)) {
      throw new RangeError(`Expected even ${even.height ? 'width and height' : 'width'} for format '${f}' but received ${width}x${height}`);
    }
  }
  const need = frameSize(from, width, height);
  if (src.byteLength !== need) throw new RangeError(`Expected src of ${need} bytes (${width}x${height} ${from}) but received ${src.byteLength} bytes`);
  const out = target ?? Buffer.alloc(frameSize(to, width, height));
  if (out.byteLength < frameSize(to, width, height)) {
    throw new RangeError(`Expected target of at least ${frameSize(to, width, height)} bytes but received ${out.byteLength} bytes`);
  }
  native().convert(src, fourcc(FORMAT_FOURCC[from]), 0, out, fourcc(FORMAT_FOURCC[to]), 0, width, height);
  return out;
}
