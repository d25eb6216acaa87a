// stamp.ts - writes a frame counter into the first luma samples of a YUYV
// frame (one bright or dark pixel pair per bit) and reads it back, so a
// consumer can tell which frame it got and how long it took.
const BITS = 24;
const HIGH = 235;
const LOW = 16;

/** Stamps n into the first BITS pixel pairs of row 0 (Y bytes 0 and 2 of each pair). */
export function stampYuyv(frame: Uint8Array, n: number): void {
  for (let b = 0; b < BITS; b++) {
    const y = (n >> b) & 1 ? HIGH : LOW;
    frame[b * 4] = y;
    frame[b * 4 + 2] = y;
  }
}

/** Reads back what stampYuyv wrote. */
export function readStampYuyv(frame: Uint8Array): number {
  let n = 0;
  for (let b = 0; b < BITS; b++) {
    const y = (frame[b * 4]! + frame[b * 4 + 2]!) / 2;
    if (y > (HIGH + LOW) / 2) n |= 1 << b;
  }
  return n;
}
