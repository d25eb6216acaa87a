// validate.test.ts - pointed TypeError/RangeError messages and "did you
// mean" for option keys, through the public API (no device needed: the
// checks run before any native call).
import { describe, expect, it } from 'vitest';
import { add, Capture, convertFrame, VirtualCamera } from '../../../src/index.js';
import { checkPositiveInteger, closest, editDistance } from '../../../src/validate.js';

describe('parameter messages', () => {
  it('names the parameter, the expectation and the value', () => {
    expect(() => checkPositiveInteger('width', -1)).toThrow(new RangeError('Expected positive integer for width but received -1 of type number'));
    expect(() => checkPositiveInteger('width', '640')).toThrow(TypeError);
    expect(() => checkPositiveInteger('width', 1.5)).toThrow(/Expected positive integer for width but received 1.5/);
  });

  it('VirtualCamera.open checks sizes, formats and keys', async () => {
    await expect(VirtualCamera.open({ width: -1, height: 480 })).rejects.toThrow('Expected positive integer for width but received -1');
    await expect(VirtualCamera.open({ width: 640, height: 480, format: 'rgb24' as never })).rejects.toThrow(/one of 'rgb'.*did you mean 'rgb'/);
    await expect(VirtualCamera.open({ widht: 640, height: 480 } as never)).rejects.toThrow('Unknown option "widht" for VirtualCamera.open() options (did you mean "width"?)');
    await expect(VirtualCamera.open({ width: 641, height: 480, format: 'yuyv' })).rejects.toThrow("Expected even width for format 'yuyv' but received 641");
    await expect(VirtualCamera.open({ width: 640, height: 480, fps: 0 })).rejects.toThrow(RangeError);
    await expect(VirtualCamera.open({ width: 640, height: 480, device: 1, create: true })).rejects.toThrow(/only one of device, label and create/);
    await expect(VirtualCamera.open(null as never)).rejects.toThrow(TypeError);
  });

  it('add() suggests the option meant', async () => {
    await expect(add({ lable: 'x' } as never)).rejects.toThrow('(did you mean "label"?)');
    await expect(add({ exclusive_caps: true } as never)).rejects.toThrow('did you mean "exclusiveCaps"?');
    await expect(add({ label: 'x'.repeat(40) })).rejects.toThrow(/at most 31 bytes/);
    await expect(add({ minWidth: 100, maxWidth: 10 })).rejects.toThrow(/minWidth \(100\) not to exceed maxWidth/);
    await expect(add({ maxBuffers: 0 })).rejects.toThrow('Expected positive integer for maxBuffers but received 0');
  });

  it('Capture.open checks its options', async () => {
    await expect(Capture.open({ device: -3 })).rejects.toThrow(/device number, path or label for device/);
    await expect(Capture.open({ device: 0, io: 'userptr' as never })).rejects.toThrow(RangeError);
    await expect(Capture.open({ devcie: 0 } as never)).rejects.toThrow('did you mean "device"?');
  });

  it('convertFrame checks sizes', () => {
    expect(() => convertFrame(new Uint8Array(10), 'rgb', 'i420', 2, 2)).toThrow('Expected src of 12 bytes (2x2 rgb) but received 10 bytes');
    expect(() => convertFrame(new Uint8Array(9), 'rgb', 'i420', 3, 1)).toThrow(/even width and height/);
    expect(() => convertFrame([1, 2, 3] as never, 'rgb', 'gray', 1, 1)).toThrow(TypeError);
  });
});

describe('did you mean', () => {
  it('measures edit distance', () => {
    expect(editDistance('widht', 'width')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
  });
  it('suggests only close words', () => {
    expect(closest('heigth', ['width', 'height'])).toBe('height');
    expect(closest('banana', ['width', 'height'])).toBeUndefined();
  });
});
