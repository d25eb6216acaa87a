// errors.test.ts - errno-shaped errors from the addon on fds that are not
// V4L2 devices: ioctls on /dev/null and on a pipe fail with ENOTTY carrying
// errno, code, syscall and the ioctl's name, sync or as a rejection; the
// library adds the path and a hint.
import { closeSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { V4l2Error } from '../../../src/errors.js';
import { call, callAsync } from '../../../src/fd.js';
import { addon, tempFile, thrown, useNonV4l2Fds } from './helpers.js';

const ENOTTY = { errno: -25, code: 'ENOTTY', syscall: 'ioctl' };

const { nullFd, pipe } = useNonV4l2Fds();

// Each synchronous ioctl-backed call and the ioctl it names in its error.
const SYNC: [string, (fd: number) => unknown, string][] = [
  ['ctlVersion', (fd) => addon.ctlVersion(fd), 'V4L2LOOPBACK_CTL_VERSION'],
  ['ctlQuery', (fd) => addon.ctlQuery(fd, 0), 'V4L2LOOPBACK_CTL_QUERY'],
  ['querycap', (fd) => addon.querycap(fd), 'VIDIOC_QUERYCAP'],
  ['enumFormats', (fd) => addon.enumFormats(fd, 1), 'VIDIOC_ENUM_FMT'],
  ['enumFrameSizes', (fd) => addon.enumFrameSizes(fd, 0x56595559), 'VIDIOC_ENUM_FRAMESIZES'],
  ['enumFrameIntervals', (fd) => addon.enumFrameIntervals(fd, 0x56595559, 640, 480), 'VIDIOC_ENUM_FRAMEINTERVALS'],
  ['getFormat', (fd) => addon.getFormat(fd, 2), 'VIDIOC_G_FMT'],
  ['setFormat', (fd) => addon.setFormat(fd, 2, { width: 640, height: 480 }), 'VIDIOC_S_FMT'],
  ['tryFormat', (fd) => addon.tryFormat(fd, 1, {}), 'VIDIOC_TRY_FMT'],
  ['getParm', (fd) => addon.getParm(fd, 2), 'VIDIOC_G_PARM'],
  ['setParm', (fd) => addon.setParm(fd, 2, 1, 30), 'VIDIOC_S_PARM'],
  ['listControls', (fd) => addon.listControls(fd), 'VIDIOC_QUERY_EXT_CTRL'],
  ['queryControl', (fd) => addon.queryControl(fd, 0x0098f900), 'VIDIOC_QUERY_EXT_CTRL'],
  ['getControl', (fd) => addon.getControl(fd, 0x0098f900), 'VIDIOC_QUERY_EXT_CTRL'],
  ['setControl', (fd) => addon.setControl(fd, 0x0098f900, 1), 'VIDIOC_QUERY_EXT_CTRL'],
  ['subscribeEvent', (fd) => addon.subscribeEvent(fd, 3, 0, 0), 'VIDIOC_SUBSCRIBE_EVENT'],
  ['unsubscribeEvent', (fd) => addon.unsubscribeEvent(fd, 3, 0), 'VIDIOC_UNSUBSCRIBE_EVENT'],
  ['dequeueEvent', (fd) => addon.dequeueEvent(fd), 'VIDIOC_DQEVENT'],
  ['reqbufs', (fd) => addon.reqbufs(fd, 2, 4), 'VIDIOC_REQBUFS'],
  ['querybuf', (fd) => addon.querybuf(fd, 2, 0), 'VIDIOC_QUERYBUF'],
  ['qbuf', (fd) => addon.qbuf(fd, 2, 0, 100, 1_000_000), 'VIDIOC_QBUF'],
  ['dqbuf', (fd) => addon.dqbuf(fd, 2), 'VIDIOC_DQBUF'],
  ['qbufIndex', (fd) => addon.qbufIndex(fd, 2, 0, 100, true), 'VIDIOC_QBUF'],
  ['dqbufIndex', (fd) => addon.dqbufIndex(fd, 2), 'VIDIOC_DQBUF'],
];

const ASYNC: [string, (fd: number) => Promise<unknown>, string][] = [
  ['ctlAdd', (fd) => addon.ctlAdd(fd, { label: 'x' }), 'V4L2LOOPBACK_CTL_ADD'],
  ['ctlAdd(null)', (fd) => addon.ctlAdd(fd, null), 'V4L2LOOPBACK_CTL_ADD'],
  ['ctlRemove', (fd) => addon.ctlRemove(fd, 3), 'V4L2LOOPBACK_CTL_REMOVE'],
  ['streamOn', (fd) => addon.streamOn(fd, 2), 'VIDIOC_STREAMON'],
  ['streamOff', (fd) => addon.streamOff(fd, 1), 'VIDIOC_STREAMOFF'],
];

describe.each([
  ['/dev/null', nullFd],
  ['a pipe', () => pipe().fd],
])('ioctls on %s', (_what, fd) => {
  for (const [name, fn, ioctl] of SYNC) {
    it(`${name} throws ENOTTY naming ${ioctl}`, () => {
      const err = thrown(() => fn(fd()));
      expect(err).toBeInstanceOf(Error);
      expect(err).toMatchObject({ ...ENOTTY, ioctl });
      expect((err as Error).message).toBe(`ENOTTY: inappropriate ioctl for device, ioctl ${ioctl}`);
    });
  }
  for (const [name, fn, ioctl] of ASYNC) {
    it(`${name} rejects with ENOTTY naming ${ioctl}`, async () => {
      await expect(fn(fd())).rejects.toMatchObject({ ...ENOTTY, ioctl });
    });
  }
});

describe('other errno errors', () => {
  it('a closed fd gives EBADF', async () => {
    const fd = openSync('/dev/null', 'r');
    closeSync(fd);
    expect(thrown(() => addon.querycap(fd))).toMatchObject({ errno: -9, code: 'EBADF', syscall: 'ioctl', ioctl: 'VIDIOC_QUERYCAP' });
    expect(thrown(() => addon.write(fd, Buffer.alloc(1)))).toMatchObject({ errno: -9, code: 'EBADF', syscall: 'write' });
    expect(thrown(() => addon.read(fd, Buffer.alloc(1)))).toMatchObject({ code: 'EBADF', syscall: 'read' });
    expect(thrown(() => addon.mmap(fd, 4096, 0, false))).toMatchObject({ code: 'EBADF', syscall: 'fstat' });
    await expect(addon.streamOn(fd, 2)).rejects.toMatchObject({ code: 'EBADF', ioctl: 'VIDIOC_STREAMON' });
  });

  it('mmap of a pipe gives ENODEV', () => {
    expect(thrown(() => addon.mmap(pipe().fd, 4096, 0, false))).toMatchObject({ errno: -19, code: 'ENODEV', syscall: 'mmap' });
  });

  it('mmap at an unaligned offset gives EINVAL', () => {
    const f = tempFile(Buffer.alloc(8192));
    try {
      expect(thrown(() => addon.mmap(f.fd, 100, 3, false))).toMatchObject({ errno: -22, code: 'EINVAL', syscall: 'mmap' });
    } finally {
      f.close();
    }
  });

  it('read() and write() on an empty non-blocking pipe: null for EAGAIN, else byte counts', () => {
    const buf = Buffer.alloc(16);
    expect(addon.read(pipe().fd, buf)).toBeNull();
    expect(addon.write(pipe().fd, Buffer.from('hello'))).toBe(5);
    expect(addon.read(pipe().fd, buf)).toBe(5);
    expect(buf.subarray(0, 5).toString()).toBe('hello');
    expect(addon.read(pipe().fd, buf)).toBeNull();
  });
});

describe('through the library', () => {
  it('call() makes a V4l2Error with the path and a hint', () => {
    const err = thrown(() => call('/dev/null', () => addon.getFormat(nullFd(), 2)));
    expect(err).toBeInstanceOf(V4l2Error);
    expect(err).toMatchObject({ ...ENOTTY, ioctl: 'VIDIOC_G_FMT', path: '/dev/null' });
    expect((err as V4l2Error).hint).toMatch(/v4l2loopback device/);
    expect((err as Error).message).toBe(
      "ENOTTY: inappropriate ioctl for device, ioctl VIDIOC_G_FMT '/dev/null' (this device does not support that request: is it a v4l2loopback device?)",
    );
    expect((err as Error).cause).toMatchObject(ENOTTY);
  });

  it("callAsync() rejects with the caller's stack", async () => {
    async function whoCalls(): Promise<unknown> {
      return callAsync('/dev/null', () => addon.streamOn(nullFd(), 2));
    }
    const err = (await whoCalls().catch((e: unknown) => e)) as V4l2Error;
    expect(err).toBeInstanceOf(V4l2Error);
    expect(err).toMatchObject({ ...ENOTTY, ioctl: 'VIDIOC_STREAMON', path: '/dev/null' });
    expect(err.stack).toMatch(/whoCalls/);
  });
});
