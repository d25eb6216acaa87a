// deps.ts - everything a command touches outside itself, injected so the
// commands run against fakes in unit tests: the library facade, the output
// writers, and the environment doctor inspects.
import type { Caps } from '../src/caps.js';
import type { CapturedFrame, CaptureOptions } from '../src/capture.js';
import type { AddOptions, LoopbackDevice, VersionInfo } from '../src/ctl.js';
import type { Device } from '../src/device.js';
import type { Fraction } from '../src/formats.js';
import type { VirtualCameraOptions } from '../src/virtual-camera.js';
import type { Io } from './output.js';
import { type DoctorEnv, realDoctorEnv } from './doctor-env.js';

/** The part of a Device handle (src/device.ts) the CLI uses. */
export interface DeviceHandle {
  readonly path: string;
  readonly capturePath: string;
  readonly label: string;
  get caps(): Caps | undefined;
  set caps(value: string | Caps);
  readonly capsString: string | undefined;
  get fps(): number | undefined;
  set fps(value: number | string);
  readonly fpsFraction: Fraction | undefined;
  keepFormat: boolean;
  sustainFramerate: boolean;
  timeout: number;
  readonly readers: number;
  readonly frames: number;
  readonly state: string;
  setTimeoutImage: Device['setTimeoutImage'];
  close(): Promise<void>;
}

/** The part of a VirtualCamera (src/virtual-camera.ts) the CLI uses. */
export interface CameraHandle {
  readonly device: string;
  readonly width: number;
  readonly height: number;
  readonly nativeFormat: string;
  readonly framesSent: number;
  readonly currentFps: number;
  send(frame: Uint8Array): Promise<void>;
  nextFrame(options?: { signal?: AbortSignal }): Promise<void>;
  close(): Promise<{ removed: boolean; error?: Error }>;
}

/** The part of a Capture (src/capture.ts) the CLI uses. */
export interface CaptureHandle {
  readonly device: string;
  read(options?: { timeout?: number; signal?: AbortSignal }): Promise<CapturedFrame>;
  close(): Promise<void>;
}

export interface Library {
  /** Loads the native addon; rejects with its AddonLoadError (the message lists fixes). */
  loadAddon(): Promise<void>;
  version(): Promise<VersionInfo>;
  list(): Promise<LoopbackDevice[]>;
  add(options: AddOptions): Promise<LoopbackDevice>;
  remove(device: string): Promise<void>;
  query(device: string): Promise<LoopbackDevice>;
  open(device: string): Promise<DeviceHandle>;
  openCamera(options: VirtualCameraOptions): Promise<CameraHandle>;
  openCapture(options: CaptureOptions): Promise<CaptureHandle>;
}

export interface CliDeps {
  lib: Library;
  io: Io;
  doctor: DoctorEnv;
  /** The CLI's own version (package.json). */
  cliVersion: string;
  /** Where a command that ran but found problems leaves its exit code. */
  outcome: { exitCode: number };
}

/** The real library, loaded on first use so --help works without the addon. */
function lazyLibrary(): Library {
  const ctl = () => import('../src/ctl.js');
  return {
    loadAddon: async () => {
      (await import('../src/native.js')).native();
    },
    version: async () => (await ctl()).version(),
    list: async () => (await ctl()).list(),
    add: async (o) => (await ctl()).add(o),
    remove: async (d) => (await ctl()).remove(d),
    query: async (d) => (await ctl()).query(d),
    open: async (d) => (await import('../src/device.js')).open(d),
    openCamera: async (o) => (await import('../src/virtual-camera.js')).VirtualCamera.open(o),
    openCapture: async (o) => (await import('../src/capture.js')).Capture.open(o),
  };
}

export function realDeps(cliVersion: string): CliDeps {
  return {
    lib: lazyLibrary(),
    io: { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), stderrIsTTY: process.stderr.isTTY },
    doctor: realDoctorEnv(),
    cliVersion,
    outcome: { exitCode: 0 },
  };
}
