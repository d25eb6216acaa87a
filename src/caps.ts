// caps.ts - the caps strings of v4l2loopback-ctl and sysfs `format`:
// 'FOURCC:WxH@fps', where fps is N or N/D and each part is optional
// except the fourcc (e.g. 'UYVY:640x480@30', 'YUYV:1280x720', 'NV12').
import { type Fraction, fpsToFraction, fractionToFps } from './formats.js';

export interface Caps {
  /** The four-character code, e.g. 'YUYV'. */
  fourcc: string;
  width?: number;
  height?: number;
  /** Frames per second as a fraction (30/1, 30000/1001). */
  fps?: Fraction;
}

const CAPS_RE = /^([\x20-\x7e]{4})(?::(\d+)x(\d+))?(?:@(\d+)(?:\/(\d+))?|@(\d*\.\d+))?$/;
const FPS_RE = /^@?(\d+)(?:\/(\d+))?$/;
const DECIMAL_FPS_RE = /^@?(\d*\.\d+|\d+\.)$/;

function positive(n: string, what: string, text: string): number {
  const v = Number(n);
  if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`Invalid ${what} in caps '${text}': expected a positive integer`);
  return v;
}

/** Parses 'FOURCC[:WxH][@N[/D]]'. Throws a pointed TypeError/RangeError. */
export function parseCaps(text: unknown): Caps {
  if (typeof text !== 'string') throw new TypeError(`Expected caps string like 'YUYV:640x480@30' but received ${typeof text}`);
  const t = text.trim();
  if (t.startsWith('video/')) {
    throw new TypeError(`GStreamer caps ('${t}') are not supported: use 'FOURCC:WxH@fps', e.g. 'YUYV:640x480@30'`);
  }
  const m = CAPS_RE.exec(t);
  if (!m) {
    throw new TypeError(`Invalid caps '${t}': expected 'FOURCC:WxH@fps' with a 4-character FOURCC, e.g. 'UYVY:640x480@30' or 'NV12:1280x720@30000/1001'`);
  }
  const caps: Caps = { fourcc: m[1]! };
  if (m[2] !== undefined) {
    caps.width = positive(m[2], 'width', t);
    caps.height = positive(m[3]!, 'height', t);
  }
  if (m[4] !== undefined) {
    caps.fps = { numerator: positive(m[4], 'fps', t), denominator: m[5] !== undefined ? positive(m[5], 'fps denominator', t) : 1 };
  } else if (m[6] !== undefined) {
    caps.fps = parseFps(m[6]);
  }
  return caps;
}

/** Formats caps the way sysfs does: 'YUYV:640x480@30' or '@30000/1001'. */
export function formatCaps(caps: Caps): string {
  let s = caps.fourcc;
  if (caps.width !== undefined && caps.height !== undefined) s += `:${caps.width}x${caps.height}`;
  if (caps.fps) s += `@${formatFps(caps.fps)}`;
  return s;
}

/** 'N' when the denominator is 1, else 'N/D'. */
export function formatFps(f: Fraction): string {
  return f.denominator === 1 ? `${f.numerator}` : `${f.numerator}/${f.denominator}`;
}

/**
 * Parses an fps as written to sysfs ('30', '@30', '30000/1001') or as a
 * decimal ('29.97', made the nearest fraction: 30000/1001).
 */
export function parseFps(text: string): Fraction {
  const t = text.trim();
  const d = DECIMAL_FPS_RE.exec(t);
  if (d) {
    const v = Number(d[1]);
    if (!(v > 0)) throw new RangeError(`Invalid frame rate '${text}': expected a positive number`);
    return fpsToFraction(v);
  }
  const m = FPS_RE.exec(t);
  if (!m) throw new TypeError(`Invalid frame rate '${text}': expected N, N/D or a decimal, e.g. 30, 30000/1001 or 29.97`);
  return { numerator: positive(m[1]!, 'fps', text), denominator: m[2] !== undefined ? positive(m[2], 'fps denominator', text) : 1 };
}

/** The frame rate of caps as a number (29.97...), or undefined. */
export function capsFps(caps: Caps): number | undefined {
  return caps.fps ? fractionToFps(caps.fps) : undefined;
}

/** A frame rate as callers give it: 29.97, '30000/1001', '29.97' or { numerator, denominator }. */
export type FpsInput = number | string | Fraction;

/**
 * Checks and converts an fps option to a fraction in (0, 1000] fps; a
 * TypeError or RangeError naming `name` otherwise.
 */
export function toFpsFraction(name: string, value: unknown): Fraction {
  let f: Fraction;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0 || value > 1000) {
      throw new RangeError(`Expected number between 0 and 1000 for ${name} but received ${value}`);
    }
    f = fpsToFraction(value);
  } else if (typeof value === 'string') {
    f = parseFps(value);
  } else if (
    typeof value === 'object' &&
    value !== null &&
    Number.isSafeInteger((value as Fraction).numerator) &&
    Number.isSafeInteger((value as Fraction).denominator) &&
    (value as Fraction).numerator > 0 &&
    (value as Fraction).denominator > 0
  ) {
    f = { numerator: (value as Fraction).numerator, denominator: (value as Fraction).denominator };
  } else {
    throw new TypeError(`Expected a number, 'N/D' string or { numerator, denominator } for ${name} but received ${value === null ? 'null' : typeof value}`);
  }
  if (fractionToFps(f) > 1000) throw new RangeError(`Expected at most 1000 fps for ${name} but received ${formatFps(f)}`);
  return f;
}
