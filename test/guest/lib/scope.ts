// scope.ts - per-test resources for the library's guest tests: every device,
// handle, camera and capture a test makes is registered here and released
// in reverse order after the test, even when it failed, so no test leaks an
// open node (EBUSY) into the next. Also a timeout wrapper for every wait.
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { loadModule } from '../helpers/kernel.js';
import { add, type AddOptions, Capture, type CaptureOptions, type Device, list, type LoopbackDevice, open, remove, VirtualCamera, type VirtualCameraOptions } from '../../../src/index.js';

/** Rejects with `what` when `p` does not settle within `ms`. */
export async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every 20 ms until it is true, for at most `ms`. */
export async function until(ms: number, what: string, check: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Scope {
  readonly #cleanups: { what: string; fn: () => Promise<unknown> }[] = [];

  /** Runs `fn` at dispose(), after everything registered later. */
  defer(what: string, fn: () => Promise<unknown>): void {
    this.#cleanups.push({ what, fn });
  }

  /** A fresh device for this test, removed afterwards. */
  async device(options: AddOptions = {}): Promise<LoopbackDevice> {
    const d = await within(30_000, 'add()', add(options));
    this.defer(`remove ${d.path}`, async () => {
      // A handle closed just now may still be draining in the kernel.
      for (let i = 0; ; i++) {
        try {
          await remove(d.nr);
          return;
        } catch (err) {
          if ((err as { code?: string }).code === 'ENODEV') return;
          if ((err as { code?: string }).code !== 'EBUSY' || i === 20) throw err;
          await sleep(100);
        }
      }
    });
    return d;
  }

  async open(device: number | string): Promise<Device> {
    const h = await within(30_000, `open(${device})`, open(device));
    this.defer(`close handle ${h.path}`, () => h.close());
    return h;
  }

  async camera(options: VirtualCameraOptions): Promise<VirtualCamera> {
    const c = await within(30_000, 'VirtualCamera.open()', VirtualCamera.open(options));
    this.defer(`close camera ${c.device}`, () => within(30_000, 'camera.close()', c.close()));
    return c;
  }

  async capture(options: CaptureOptions): Promise<Capture> {
    const c = await within(30_000, 'Capture.open()', Capture.open(options));
    this.defer(`close capture ${c.device}`, () => within(30_000, 'capture.close()', c.close()));
    return c;
  }

  /** Releases everything, newest first; throws the first failure after trying all. */
  async dispose(): Promise<void> {
    const errors: Error[] = [];
    for (const c of this.#cleanups.splice(0).reverse()) {
      try {
        await c.fn();
      } catch (err) {
        errors.push(new Error(`cleanup failed: ${c.what}: ${(err as Error).message}`, { cause: err }));
      }
    }
    if (errors.length) throw errors[0];
  }
}

/** Removes whatever devices are left (end of a file, after a failure). */
export async function removeAll(): Promise<void> {
  for (const d of await list()) await remove(d.nr).catch(() => undefined);
}

/**
 * The hooks every library guest test file needs: the module loaded with no
 * devices, a fresh Scope per test released after it, and no device left at
 * the end. Returns a getter for the running test's scope.
 */
export function useTestScope(): () => Scope {
  let scope: Scope | undefined;
  beforeAll(async () => {
    await loadModule({ devices: 0 });
  });
  beforeEach(() => {
    scope = new Scope();
  });
  afterEach(async () => {
    await scope?.dispose();
  });
  afterAll(async () => {
    await removeAll();
  });
  return () => {
    if (!scope) throw new Error('useTestScope(): no test is running');
    return scope;
  };
}
