// index.ts - the public API of the `v4l2loopback` package.
export { version, list, add, remove, query, CONTROL_DEVICE } from './ctl.js';
export type { LoopbackDevice, AddOptions, VersionInfo } from './ctl.js';
export { open, Device } from './device.js';
export type { DeviceEvents, TimeoutImageOptions } from './device.js';
export { VirtualCamera } from './virtual-camera.js';
export type { VirtualCameraOptions } from './virtual-camera.js';
export type { OutputBuffer, IoMethod } from './output.js';
export { Capture } from './capture.js';
export type { CaptureOptions, CapturedFrame } from './capture.js';
export { parseCaps, formatCaps, parseFps, formatFps } from './caps.js';
export type { Caps } from './caps.js';
export { PIXEL_FORMATS, FORMAT_FOURCC, frameSize, fourcc, fourccToString } from './formats.js';
export type { PixelFormat, Fraction } from './formats.js';
export { convertFrame } from './convert.js';
export { V4l2Error, CodedError } from './errors.js';
export { AddonLoadError } from './native.js';
export { constants } from './constants.js';
export type { DeviceRef } from './resolve.js';
