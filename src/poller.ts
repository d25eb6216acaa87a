// poller.ts - awaitable fd readiness over the addon's uv_poll handle, the
// serialport pattern: try the non-blocking call, on EAGAIN await
// readiness, retry. Spurious wakeups are expected; callers loop.
import { AbortError } from './errors.js';
import { type NativeBinding, type NativePollerHandle, native } from './native.js';

export type PollEvent = 'readable' | 'writable' | 'priority';

/** How long a wait may last: an AbortSignal, and a deadline on performance.now(). */
export interface WaitLimits {
  signal?: AbortSignal;
  /** performance.now() value after which the wait rejects with code 'ETIMEDOUT'. */
  deadline?: number;
}

export class Poller {
  readonly #binding: NativeBinding;
  readonly #handle: NativePollerHandle;
  #waiter: { resolve: (events: number) => void; reject: (err: Error) => void } | undefined;
  #listener: ((events: number) => void) | undefined;
  #closed = false;

  constructor(fd: number, binding: NativeBinding = native()) {
    this.#binding = binding;
    this.#handle = binding.pollerCreate(fd, (status, events) => this.#onPoll(status, events));
  }

  #mask(events: readonly PollEvent[]): number {
    const e = this.#binding.pollEvents;
    let m = 0;
    for (const ev of events) m |= ev === 'readable' ? e.READABLE : ev === 'writable' ? e.WRITABLE : e.PRIORITIZED;
    return m;
  }

  #onPoll(status: number, events: number): void {
    if (this.#listener) {
      this.#listener(status < 0 ? -1 : events);
      return;
    }
    const w = this.#waiter;
    this.#waiter = undefined;
    this.#binding.pollerStop(this.#handle);
    if (!w) return;
    if (status < 0) w.reject(Object.assign(new Error(`poll failed (${status})`), { errno: status }));
    else w.resolve(events);
  }

  /** Resolves once the fd is ready for one of `events` (or rejects on close). */
  wait(...events: PollEvent[]): Promise<number> {
    if (this.#closed) return Promise.reject(new Error('Poller is closed'));
    if (this.#waiter) return Promise.reject(new Error('Poller is already waiting'));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
      this.#binding.pollerStart(this.#handle, this.#mask(events));
    });
  }

  /**
   * wait(), ended early by `limits`: an aborted signal rejects with an
   * AbortError, a passed deadline with an error whose code is 'ETIMEDOUT'.
   */
  async waitFor(events: PollEvent[], limits: WaitLimits = {}): Promise<number> {
    const { signal, deadline } = limits;
    if (!signal && deadline === undefined) return this.wait(...events);
    if (signal?.aborted) throw new AbortError(signal);
    const remaining = deadline === undefined ? Infinity : deadline - performance.now();
    if (remaining <= 0) throw Object.assign(new Error('wait timed out'), { code: 'ETIMEDOUT' });
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const cancelled = new Promise<never>((_, reject) => {
      const cancel = (err: Error): void => {
        const w = this.#waiter;
        this.#waiter = undefined;
        if (!this.#closed) this.#binding.pollerStop(this.#handle);
        w?.reject(err);
        reject(err);
      };
      if (remaining !== Infinity) timer = setTimeout(() => cancel(Object.assign(new Error('wait timed out'), { code: 'ETIMEDOUT' })), remaining);
      if (signal) {
        onAbort = () => cancel(new AbortError(signal));
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
    const waited = this.wait(...events);
    cancelled.catch(() => undefined);
    waited.catch(() => undefined);
    try {
      return await Promise.race([waited, cancelled]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal!.removeEventListener('abort', onAbort);
    }
  }

  /** Calls `listener` on every readiness until stop(); events = -1 on error. */
  listen(events: PollEvent[], listener: (events: number) => void): void {
    this.#listener = listener;
    this.#binding.pollerStart(this.#handle, this.#mask(events));
  }

  stop(): void {
    this.#listener = undefined;
    if (!this.#closed) this.#binding.pollerStop(this.#handle);
  }

  /** Stops for good; the fd may be closed afterwards. A pending wait rejects. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener = undefined;
    this.#binding.pollerClose(this.#handle);
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.reject(Object.assign(new Error('closed while waiting'), { code: 'ERR_CLOSED' }));
  }
}
