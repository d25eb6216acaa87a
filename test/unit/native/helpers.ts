// helpers.ts - shared fixtures of the native (addon) tests: the loaded addon,
// a FIFO opened read-write and non-blocking (a pipe JavaScript can hold both
// ends of), fds of non-V4L2 files for a test file, and a temporary file with
// known contents.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type NativeBinding, native } from '../../../src/native.js';

export const addon: NativeBinding = native();

export interface TempFd {
  fd: number;
  path: string;
  close(): void;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'v4l2l-native-'));
}

/** A FIFO opened O_RDWR | O_NONBLOCK: readable once something was written to it. */
export function fifo(): TempFd {
  const dir = tempDir();
  const path = join(dir, 'fifo');
  execFileSync('mkfifo', [path]);
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  return {
    fd,
    path,
    close() {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A regular file of `bytes`, opened read-write. */
export function tempFile(bytes: Uint8Array): TempFd {
  const dir = tempDir();
  const path = join(dir, 'data');
  writeFileSync(path, bytes);
  const fd = openSync(path, 'r+');
  return {
    fd,
    path,
    close() {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Calls fn and returns what it threw (undefined if it did not). */
export function thrown(fn: () => unknown): unknown {
  try {
    const r = fn();
    if (r instanceof Promise) r.catch(() => undefined);
  } catch (err) {
    return err;
  }
  return undefined;
}

/** For the test file that calls it: /dev/null and a FIFO, open around all its tests. */
export function useNonV4l2Fds(): { nullFd: () => number; pipe: () => TempFd } {
  let nullFd = -1;
  let pipe: TempFd | undefined;
  beforeAll(() => {
    nullFd = openSync('/dev/null', 'r+');
    pipe = fifo();
  });
  afterAll(() => {
    closeSync(nullFd);
    pipe?.close();
  });
  return {
    nullFd: () => nullFd,
    pipe: () => {
      if (!pipe) throw new Error('useNonV4l2Fds(): the FIFO is only open while tests run');
      return pipe;
    },
  };
}
