// bench/lib/chart.ts - renders the benchmark's line charts into a PNG with
// pngjs alone (no browser, no canvas): an RGBA buffer, lines, dashes,
// markers, axes with linear or log scales, and text in a built-in 5x7
// bitmap font.
import { PNG } from 'pngjs';

export type Rgb = readonly [number, number, number];

export interface Series {
  name: string;
  color: Rgb;
  dashed?: boolean;
  /** One value per x label; NaN leaves a gap. */
  values: number[];
}

export interface Panel {
  title: string;
  xLabels: string[];
  yLabel: string;
  log?: boolean;
  series: Series[];
}

// 5x7 glyphs, one 5-bit row each (MSB left). Lower case is drawn as upper case, except x and u (µ).
const GLYPHS: Record<string, number[]> = {
  '0': [14, 17, 19, 21, 25, 17, 14], '1': [4, 12, 4, 4, 4, 4, 14], '2': [14, 17, 1, 2, 4, 8, 31],
  '3': [31, 2, 4, 2, 1, 17, 14], '4': [2, 6, 10, 18, 31, 2, 2], '5': [31, 16, 30, 1, 1, 17, 14],
  '6': [6, 8, 16, 30, 17, 17, 14], '7': [31, 1, 2, 4, 8, 8, 8], '8': [14, 17, 17, 14, 17, 17, 14],
  '9': [14, 17, 17, 15, 1, 2, 12], A: [14, 17, 17, 17, 31, 17, 17], B: [30, 17, 17, 30, 17, 17, 30],
  C: [14, 17, 16, 16, 16, 17, 14], D: [28, 18, 17, 17, 17, 18, 28], E: [31, 16, 16, 30, 16, 16, 31],
  F: [31, 16, 16, 30, 16, 16, 16], G: [14, 17, 16, 23, 17, 17, 15], H: [17, 17, 17, 31, 17, 17, 17],
  I: [14, 4, 4, 4, 4, 4, 14], J: [7, 2, 2, 2, 2, 18, 12], K: [17, 18, 20, 24, 20, 18, 17],
  L: [16, 16, 16, 16, 16, 16, 31], M: [17, 27, 21, 21, 17, 17, 17], N: [17, 17, 25, 21, 19, 17, 17],
  O: [14, 17, 17, 17, 17, 17, 14], P: [30, 17, 17, 30, 16, 16, 16], Q: [14, 17, 17, 17, 21, 18, 13],
  R: [30, 17, 17, 30, 20, 18, 17], S: [15, 16, 16, 14, 1, 1, 30], T: [31, 4, 4, 4, 4, 4, 4],
  U: [17, 17, 17, 17, 17, 17, 14], V: [17, 17, 17, 17, 17, 10, 4], W: [17, 17, 17, 21, 21, 21, 10],
  X: [17, 17, 10, 4, 10, 17, 17], Y: [17, 17, 17, 10, 4, 4, 4], Z: [31, 1, 2, 4, 8, 16, 31],
  ' ': [0, 0, 0, 0, 0, 0, 0], '.': [0, 0, 0, 0, 0, 12, 12], ',': [0, 0, 0, 0, 12, 4, 8],
  ':': [0, 12, 12, 0, 12, 12, 0], '/': [0, 1, 2, 4, 8, 16, 0], '-': [0, 0, 0, 31, 0, 0, 0],
  '(': [2, 4, 8, 8, 8, 4, 2], ')': [8, 4, 2, 2, 2, 4, 8], '%': [24, 25, 2, 4, 8, 19, 3],
  '=': [0, 0, 31, 0, 31, 0, 0], '+': [0, 4, 4, 31, 4, 4, 0], _: [0, 0, 0, 0, 0, 0, 31],
  '<': [2, 4, 8, 16, 8, 4, 2], '>': [8, 4, 2, 1, 2, 4, 8], x: [0, 0, 17, 10, 4, 10, 17],
  'µ': [0, 0, 17, 17, 19, 29, 16], '#': [10, 10, 31, 10, 31, 10, 10], '*': [0, 4, 21, 14, 21, 4, 0],
};

export class Canvas {
  readonly png: PNG;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.png = new PNG({ width, height });
    this.png.data.fill(255);
  }

  set(x: number, y: number, c: Rgb): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 4;
    this.png.data[i] = c[0];
    this.png.data[i + 1] = c[1];
    this.png.data[i + 2] = c[2];
    this.png.data[i + 3] = 255;
  }

  rect(x: number, y: number, w: number, h: number, c: Rgb): void {
    for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) this.set(x + i, y + j, c);
  }

  /** A line of the given thickness; dash > 0 draws dash-pixel dashes. */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, thick = 1, dash = 0): void {
    const len = Math.hypot(x1 - x0, y1 - y0);
    const steps = Math.max(1, Math.ceil(len));
    const r = (thick - 1) / 2;
    for (let s = 0; s <= steps; s++) {
      if (dash > 0 && Math.floor(s / dash) % 2 === 1) continue;
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) this.set(x + dx, y + dy, c);
    }
  }

  /** Text at (x, y) = top left, scale 1 = 6 px per character. Returns the width drawn. */
  text(x: number, y: number, s: string, c: Rgb, scale = 2): number {
    let cx = x;
    for (const ch of s) {
      const g = GLYPHS[ch] ?? GLYPHS[ch.toUpperCase()] ?? GLYPHS['*'];
      g?.forEach((row, j) => {
        for (let i = 0; i < 5; i++) if (row & (16 >> i)) this.rect(cx + i * scale, y + j * scale, scale, scale, c);
      });
      cx += 6 * scale;
    }
    return cx - x;
  }

  textWidth(s: string, scale = 2): number {
    return [...s].length * 6 * scale;
  }

  toPng(): Buffer {
    return PNG.sync.write(this.png);
  }
}

const GRID: Rgb = [225, 225, 225];
const AXIS: Rgb = [60, 60, 60];

function niceTicks(lo: number, hi: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
    return out;
  }
  const span = hi - lo || 1;
  const step0 = 10 ** Math.floor(Math.log10(span / 5));
  const step = [1, 2, 5, 10].map((m) => m * step0).find((s) => span / s <= 6) ?? step0 * 10;
  const out: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step / 2; v += step) out.push(Number(v.toPrecision(6)));
  return out;
}

export function formatTick(v: number): string {
  if (v >= 1e6) return `${v / 1e6}M`;
  if (v >= 1e3) return `${v / 1e3}k`;
  return String(Number(v.toPrecision(3)));
}

/** Draws one panel into the box (x, y, w, h) of the canvas. */
export function drawPanel(cv: Canvas, p: Panel, x: number, y: number, w: number, h: number): void {
  const all = p.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && (!p.log || v > 0));
  let lo = all.length ? Math.min(...all) : 1;
  let hi = all.length ? Math.max(...all) : 10;
  if (p.log) {
    lo = 10 ** Math.floor(Math.log10(lo));
    hi = 10 ** Math.ceil(Math.log10(hi));
    if (lo === hi) hi = lo * 10;
  } else {
    lo = 0;
    hi = hi > 0 ? hi * 1.08 : 1;
  }
  const ticks = niceTicks(lo, hi, !!p.log);
  if (!p.log) hi = Math.max(hi, ticks[ticks.length - 1] ?? hi);
  const left = x + 80;
  const top = y + 56;
  const legendH = 22 * Math.ceil(p.series.length / 3) + 8;
  const bottom = y + h - 50 - legendH;
  const right = x + w - 20;
  const ty = (v: number): number =>
    p.log ? bottom - ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (bottom - top) : bottom - ((v - lo) / (hi - lo)) * (bottom - top);
  const n = p.xLabels.length;
  const tx = (i: number): number => left + ((i + 0.5) / n) * (right - left);

  cv.text(x + (w - cv.textWidth(p.title)) / 2, y + 8, p.title, AXIS);
  for (const t of ticks) {
    if (t < lo || t > hi) continue;
    const yy = ty(t);
    cv.line(left, yy, right, yy, GRID);
    const label = formatTick(t);
    cv.text(left - 8 - cv.textWidth(label), yy - 7, label, AXIS);
  }
  cv.text(left - 40, top - 22, p.yLabel, AXIS, 2);
  cv.line(left, top, left, bottom, AXIS, 2);
  cv.line(left, bottom, right, bottom, AXIS, 2);
  p.xLabels.forEach((l, i) => cv.text(tx(i) - cv.textWidth(l) / 2, bottom + 10, l, AXIS));

  for (const s of p.series) {
    let prev: [number, number] | undefined;
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v) || (p.log && v <= 0)) {
        prev = undefined;
        return;
      }
      const pt: [number, number] = [tx(i), ty(v)];
      if (prev) cv.line(prev[0], prev[1], pt[0], pt[1], s.color, 3, s.dashed ? 8 : 0);
      cv.rect(pt[0] - 4, pt[1] - 4, 9, 9, s.color);
      prev = pt;
    });
  }
  // legend, three per row
  const colW = (w - 40) / 3;
  p.series.forEach((s, i) => {
    const lx = x + 20 + (i % 3) * colW;
    const ly = bottom + 40 + Math.floor(i / 3) * 22;
    cv.line(lx, ly + 7, lx + 30, ly + 7, s.color, 3, s.dashed ? 8 : 0);
    cv.text(lx + 38, ly, s.name, AXIS);
  });
}

/** Panels in a grid of `cols` columns, each w x h, with a title line on top. */
export function renderChart(title: string, panels: Panel[], cols = 2, w = 640, h = 460): Buffer {
  const rows = Math.ceil(panels.length / cols);
  const cv = new Canvas(cols * w, rows * h + 40);
  cv.text(16, 12, title, AXIS);
  panels.forEach((p, i) => drawPanel(cv, p, (i % cols) * w, 40 + Math.floor(i / cols) * h, w, h));
  return cv.toPng();
}
