// patterns.ts - test patterns `stream` sends, as packed RGB24 frames:
// colour bars, bars with a bouncing ball (shows motion and frame pacing),
// and noise.
export const PATTERNS = ['bars', 'ball', 'noise'] as const;
export type PatternName = (typeof PATTERNS)[number];

const BAR_COLOURS: readonly (readonly [number, number, number])[] = [
  [191, 191, 191],
  [191, 191, 0],
  [0, 191, 191],
  [0, 191, 0],
  [191, 0, 191],
  [191, 0, 0],
  [0, 0, 191],
  [16, 16, 16],
];

/** Seven-plus-one vertical bars, 75% intensity, like SMPTE bars' top row. */
export function colourBars(width: number, height: number): Buffer {
  const row = Buffer.alloc(width * 3);
  for (let x = 0; x < width; x++) {
    const c = BAR_COLOURS[Math.min(BAR_COLOURS.length - 1, Math.floor((x * BAR_COLOURS.length) / width))]!;
    row[x * 3] = c[0];
    row[x * 3 + 1] = c[1];
    row[x * 3 + 2] = c[2];
  }
  const frame = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) row.copy(frame, y * width * 3);
  return frame;
}

/** Where the ball is in frame n: bounces off the edges at a steady speed. */
export function ballPosition(n: number, width: number, height: number, radius: number): { x: number; y: number } {
  const bounce = (t: number, span: number): number => {
    if (span <= 0) return 0;
    const m = t % (2 * span);
    return m <= span ? m : 2 * span - m;
  };
  const speed = Math.max(2, Math.round(Math.min(width, height) / 60));
  return { x: radius + bounce(n * speed, width - 2 * radius), y: radius + bounce(n * speed * 0.7, height - 2 * radius) };
}

/** A frame generator: frame(n) returns the RGB24 bytes of frame n (reused buffer). */
export function makePattern(name: PatternName, width: number, height: number): (n: number) => Buffer {
  const bars = colourBars(width, height);
  if (name === 'bars') return () => bars;
  const frame = Buffer.alloc(bars.length);
  if (name === 'noise') {
    return () => {
      for (let i = 0; i < frame.length; i += 4096) {
        const chunk = Math.min(4096, frame.length - i);
        for (let j = 0; j < chunk; j++) frame[i + j] = (Math.random() * 256) | 0;
      }
      return frame;
    };
  }
  const radius = Math.max(2, Math.round(Math.min(width, height) / 10));
  return (n) => {
    bars.copy(frame);
    const { x: cx, y: cy } = ballPosition(n, width, height, radius);
    const y0 = Math.max(0, Math.floor(cy - radius));
    const y1 = Math.min(height - 1, Math.ceil(cy + radius));
    for (let y = y0; y <= y1; y++) {
      const dy = y - cy;
      const half = Math.sqrt(Math.max(0, radius * radius - dy * dy));
      const x0 = Math.max(0, Math.floor(cx - half));
      const x1 = Math.min(width - 1, Math.ceil(cx + half));
      frame.fill(255, (y * width + x0) * 3, (y * width + x1 + 1) * 3);
    }
    return frame;
  };
}
