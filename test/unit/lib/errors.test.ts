// errors.test.ts - V4l2Error takes Node's SystemError shape, native errors
// map to it with path and hints.
import { openSync, closeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultHint, toV4l2Error, V4l2Error } from '../../../src/errors.js';
import { call } from '../../../src/fd.js';
import { native } from '../../../src/native.js';

describe('V4l2Error', () => {
  it('reads like a Node fs error', () => {
    const e = new V4l2Error({ errno: -16, syscall: 'ioctl', ioctl: 'VIDIOC_S_FMT', path: '/dev/video4' });
    expect(e.message).toBe("EBUSY: resource busy or locked, ioctl VIDIOC_S_FMT '/dev/video4'");
    expect(e).toMatchObject({ code: 'EBUSY', errno: -16, syscall: 'ioctl', ioctl: 'VIDIOC_S_FMT', path: '/dev/video4', name: 'V4l2Error' });
    expect(e).toBeInstanceOf(Error);
  });

  it('accepts positive errno too and falls back for unknown ones', () => {
    expect(new V4l2Error({ errno: 13, syscall: 'open', path: '/dev/video0' }).code).toBe('EACCES');
    expect(new V4l2Error({ errno: -4000, syscall: 'ioctl' }).code).toBe('E4000');
  });

  it('hints at the video group for EACCES on a device', () => {
    const e = new V4l2Error({ errno: -13, syscall: 'open', path: '/dev/video0' });
    expect(defaultHint(e)).toMatch(/'video' group/);
    const n = new V4l2Error({ errno: -2, syscall: 'open', path: '/dev/v4l2loopback' });
    expect(defaultHint(n)).toMatch(/modprobe v4l2loopback/);
  });

  it('wraps fs errors keeping the cause', () => {
    const fsErr = Object.assign(new Error('EACCES: permission denied'), { errno: -13, code: 'EACCES', syscall: 'open', path: '/dev/video3' });
    const e = toV4l2Error(fsErr) as V4l2Error;
    expect(e).toBeInstanceOf(V4l2Error);
    expect(e.path).toBe('/dev/video3');
    expect(e.cause).toBe(fsErr);
    expect(e.message).toMatch(/^EACCES: permission denied, open '\/dev\/video3' \(no permission/);
  });

  it('passes other errors through', () => {
    const t = new TypeError('x');
    expect(toV4l2Error(t)).toBe(t);
  });
});

describe('errors from the addon', () => {
  it('carry errno, code, syscall and ioctl; the library adds the path', () => {
    const fd = openSync('/dev/null', 'r');
    try {
      let caught: unknown;
      try {
        call('/dev/null', () => native().querycap(fd));
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(V4l2Error);
      expect(caught).toMatchObject({ code: 'ENOTTY', errno: -25, syscall: 'ioctl', ioctl: 'VIDIOC_QUERYCAP', path: '/dev/null' });
      expect((caught as Error).message).toMatch(/^ENOTTY: inappropriate ioctl for device, ioctl VIDIOC_QUERYCAP '\/dev\/null'/);
    } finally {
      closeSync(fd);
    }
  });
});
