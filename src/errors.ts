// errors.ts - the library's error types: V4l2Error (Node's SystemError
// shape plus the ioctl's name and a hint), and the ERR_* codes.
import { getSystemErrorMap } from 'node:util';

/** Native errors carry these before the library adds `path` and a hint. */
interface NativeErrorShape {
  errno: number;
  code?: string;
  syscall: string;
  ioctl?: string;
}

/**
 * A failed system call on a device: `code` ('EBUSY'), `errno` (-16),
 * `syscall` ('ioctl'), `ioctl` ('VIDIOC_S_FMT'), `path` ('/dev/video4'),
 * and `hint` with the likely fix for the common cases.
 */
export class V4l2Error extends Error {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;
  readonly ioctl: string | undefined;
  readonly path: string | undefined;
  hint: string | undefined;

  constructor(info: { errno: number; syscall: string; ioctl?: string; path?: string; hint?: string }, options?: ErrorOptions) {
    const errno = info.errno > 0 ? -info.errno : info.errno;
    const [code, text] = describeErrno(errno);
    const where = `${info.syscall}${info.ioctl ? ` ${info.ioctl}` : ''}${info.path ? ` '${info.path}'` : ''}`;
    super(`${code}: ${text}, ${where}${info.hint ? ` (${info.hint})` : ''}`, options);
    this.name = 'V4l2Error';
    this.code = code;
    this.errno = errno;
    this.syscall = info.syscall;
    this.ioctl = info.ioctl;
    this.path = info.path;
    this.hint = info.hint;
  }
}

let errnoMap: Map<number, [string, string]> | undefined;

/** [code, message] for a (negative) errno, as Node prints them. */
export function describeErrno(errno: number): [string, string] {
  errnoMap ??= getSystemErrorMap();
  const n = errno > 0 ? -errno : errno;
  return errnoMap.get(n) ?? [`E${-n}`, `unknown error ${-n}`];
}

function isNativeError(err: unknown): err is Error & NativeErrorShape {
  return (
    err instanceof Error &&
    typeof (err as Partial<NativeErrorShape>).errno === 'number' &&
    typeof (err as Partial<NativeErrorShape>).syscall === 'string'
  );
}

/**
 * Turns an errno-carrying error (from the addon or from node:fs) into a
 * V4l2Error naming `path`, with a hint; other errors pass through.
 */
export function toV4l2Error(err: unknown, path?: string, hint?: (e: V4l2Error) => string | undefined): unknown {
  if (err instanceof V4l2Error) return err;
  if (!isNativeError(err)) return err;
  const e = new V4l2Error({ errno: err.errno, syscall: err.syscall, ioctl: err.ioctl, path: path ?? (err as { path?: string }).path }, { cause: err });
  const h = hint?.(e) ?? defaultHint(e);
  if (h) {
    e.hint = h;
    e.message += ` (${h})`;
  }
  if (err.stack) e.stack = `${e.name}: ${e.message}\n${err.stack.split('\n').slice(1).join('\n')}`;
  return e;
}

/** The likely fix for the errors users hit most. */
export function defaultHint(e: V4l2Error): string | undefined {
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return e.path?.startsWith('/dev/')
        ? `no permission on ${e.path}: add your user to the 'video' group (sudo usermod -aG video $USER, then log in again) or install the udev rule`
        : undefined;
    case 'ENOENT':
      return e.path === '/dev/v4l2loopback' || e.path?.startsWith('/dev/video')
        ? 'no such device: is the v4l2loopback module loaded? (sudo modprobe v4l2loopback)'
        : undefined;
    case 'ENOTTY':
      return 'this device does not support that request: is it a v4l2loopback device?';
    default:
      return undefined;
  }
}

/** An error with a Node-style string code and no errno (ERR_*). */
export class CodedError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Error';
    this.code = code;
  }
}

/** The kernel module is not loaded (/sys/module/v4l2loopback is missing). */
export function moduleNotLoaded(): CodedError {
  return new CodedError(
    'ERR_MODULE_NOT_LOADED',
    'The v4l2loopback kernel module is not loaded: run `sudo modprobe v4l2loopback` (or install it with dkms first)',
  );
}

/** No loopback device matches what the caller named. */
export function deviceNotFound(what: string, known: readonly string[] = []): CodedError {
  const list = known.length ? ` (loopback devices: ${known.join(', ')})` : ' (no loopback devices exist)';
  return new CodedError('ERR_DEVICE_NOT_FOUND', `No v4l2loopback device matches ${what}${list}`);
}

/** The node exists but belongs to another driver (a webcam, vivid, ...). */
export function notLoopback(path: string, driver: string | undefined, options?: ErrorOptions): CodedError {
  return new CodedError(
    'ERR_NOT_LOOPBACK',
    `${path} is not a v4l2loopback device${driver ? ` (driver '${driver}')` : ''}: list the loopback devices with list() or \`v4l2loopback-ctl list\``,
    options,
  );
}

/**
 * What an aborted call rejects with, as Node's own APIs do: name
 * 'AbortError', code 'ABORT_ERR', the signal's reason as `cause`.
 */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR';
  constructor(signal?: AbortSignal) {
    super('The operation was aborted', signal ? { cause: signal.reason } : undefined);
    this.name = 'AbortError';
  }
}

/** Throws an AbortError if `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(signal);
}

/** The operation needs an open handle that was closed. */
export function closedError(what: string): CodedError {
  return new CodedError('ERR_CLOSED', `${what} is closed`);
}
