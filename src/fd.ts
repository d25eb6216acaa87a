// fd.ts - opening and closing device nodes through node:fs (errors come
// back shaped like Node's, then get our hints), and a helper that runs a
// native call and rethrows its failure as a V4l2Error naming the path.
import { close, constants, open } from 'node:fs';
import { promisify } from 'node:util';
import { toV4l2Error, type V4l2Error } from './errors.js';
import { busyHint } from './holders.js';

const openAsync = promisify(open);
const closeAsync = promisify(close);

/** Hints for errors on a device node, including who holds a busy one. */
export function deviceHint(e: V4l2Error): string | undefined {
  if (e.code === 'EBUSY' && e.path) return busyHint(e.path);
  return undefined;
}

/**
 * Opens a device node non-blocking (waits go through a Poller, never a
 * blocked thread). open() can sleep in a driver, so it runs on the pool.
 */
export async function openDevice(path: string, write = true): Promise<number> {
  const stack = new Error();
  try {
    return await openAsync(path, (write ? constants.O_RDWR : constants.O_RDONLY) | constants.O_NONBLOCK);
  } catch (err) {
    throw graft(toV4l2Error(err, path, deviceHint), stack);
  }
}

/** close() of a streaming fd can wait for the driver to stop: async. */
export async function closeDevice(fd: number): Promise<void> {
  await closeAsync(fd);
}

/** Runs a synchronous native call, mapping its error to a V4l2Error for `path`. */
export function call<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toV4l2Error(err, path, deviceHint);
  }
}

/**
 * Awaits an asynchronous native call; on failure the rejection carries the
 * caller's stack (captured before the call), as sharp does.
 */
export async function callAsync<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const stack = new Error();
  try {
    return await fn();
  } catch (err) {
    throw graft(toV4l2Error(err, path, deviceHint), stack);
  }
}

function graft(err: unknown, stack: Error): unknown {
  if (err instanceof Error && stack.stack) {
    err.stack = `${err.name}: ${err.message}\n${stack.stack.split('\n').slice(2).join('\n')}`;
  }
  return err;
}
