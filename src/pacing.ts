// pacing.ts - frame pacing without drift: frame n is due at start + n/fps
// on the monotonic clock (absolute targets, so sleep overshoot never
// accumulates; a short hiccup is caught up, a long stall restarts the
// schedule instead of bursting), plus pyvirtualcam's moving-average fps counter.
import { setTimeout as sleepMs } from 'node:timers/promises';
import { AbortError } from './errors.js';

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Sleeps; rejects with an AbortError when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: async (ms, signal) => {
    try {
      await sleepMs(ms, undefined, signal ? { signal } : undefined);
    } catch (err) {
      if (signal?.aborted) throw new AbortError(signal);
      throw err;
    }
  },
};

/** How far behind a producer may fall and still catch up (ms), at least two frames. */
export const MAX_CATCH_UP_MS = 1000;

export class Pacer {
  readonly #periodMs: number;
  readonly #maxLagMs: number;
  readonly #clock: Clock;
  #start: number | undefined;
  #n = 0;

  constructor(fps: number, clock: Clock = realClock) {
    this.#periodMs = 1000 / fps;
    this.#maxLagMs = Math.max(MAX_CATCH_UP_MS, 2 * this.#periodMs);
    this.#clock = clock;
  }

  get periodMs(): number {
    return this.#periodMs;
  }

  /**
   * Waits until the next frame is due. A caller that fell behind gets no
   * sleep until it has caught up (so hiccups under load cost no frames);
   * one that fell more than MAX_CATCH_UP_MS (or two frames) behind
   * restarts the schedule from now instead of bursting.
   */
  async next(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new AbortError(signal);
    const now = this.#clock.now();
    if (this.#start === undefined) {
      this.#start = now;
      this.#n = 0;
      return;
    }
    this.#n++;
    const due = this.#start + this.#n * this.#periodMs;
    const wait = due - now;
    if (wait < -this.#maxLagMs) {
      this.#start = now;
      this.#n = 0;
      return;
    }
    if (wait > 0) await this.#clock.sleep(wait, signal);
  }

  /** Starts the schedule again at the next call. */
  reset(): void {
    this.#start = undefined;
  }
}

/** Exponential moving average of the frame rate (pyvirtualcam's FPSCounter). */
export class FpsCounter {
  #last: number | undefined;
  #avgDelta: number | undefined;

  constructor(private readonly clock: Pick<Clock, 'now'> = realClock) {}

  tick(): void {
    const now = this.clock.now();
    if (this.#last !== undefined) {
      const delta = now - this.#last;
      this.#avgDelta = this.#avgDelta === undefined ? delta : this.#avgDelta + 0.2 * (delta - this.#avgDelta);
    }
    this.#last = now;
  }

  /** Frames per second, 0 until two frames were counted. */
  get fps(): number {
    return this.#avgDelta === undefined || this.#avgDelta <= 0 ? 0 : 1000 / this.#avgDelta;
  }
}
