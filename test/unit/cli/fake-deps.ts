// fake-deps.ts - CliDeps over an in-memory fake library and machine, with
// captured stdout/stderr, for running the CLI's main() in unit tests.
import type { Caps } from '../../../src/caps.js';
import type { AddOptions, LoopbackDevice } from '../../../src/ctl.js';
import type { Fraction } from '../../../src/formats.js';
import type { CliDeps, DeviceHandle, Library } from '../../../cli/deps.js';
import type { DoctorEnv } from '../../../cli/doctor-env.js';

export function sysError(code: string, errno: number, syscall = 'ioctl', ioctl?: string): Error {
  return Object.assign(new Error(`${code}: failed, ${syscall}${ioctl ? ` ${ioctl}` : ''}`), { code, errno, syscall, ioctl });
}

export function device(nr: number, over: Partial<LoopbackDevice> = {}): LoopbackDevice {
  return {
    nr,
    path: `/dev/video${nr}`,
    captureNr: nr,
    capturePath: `/dev/video${nr}`,
    split: false,
    label: `Dummy video device (0x${nr.toString(16).padStart(4, '0')})`,
    exclusiveCaps: false,
    minWidth: 2,
    maxWidth: 8192,
    minHeight: 1,
    maxHeight: 8192,
    maxBuffers: 8,
    maxOpeners: 64,
    ...over,
  };
}

export class FakeLibrary implements Library {
  devices = new Map<number, LoopbackDevice>();
  added: AddOptions[] = [];
  failWith: Error | undefined;
  caps: Caps | undefined;
  fpsValue: Fraction | undefined;
  keep = false;
  /** What loadAddon() rejects with (an AddonLoadError-like message), if anything. */
  addonError: Error | undefined;
  /** Per-device failures of remove() and query(), by the name given. */
  failFor = new Map<string, Error>();

  #check(): void {
    if (this.failWith) throw this.failWith;
  }

  #find(ref: string): LoopbackDevice {
    const m = /(\d+)$/.exec(ref);
    const d = m ? this.devices.get(Number(m[1])) : [...this.devices.values()].find((x) => x.label === ref);
    if (!d) throw Object.assign(new Error(`No v4l2loopback device matches ${ref}`), { code: 'ERR_DEVICE_NOT_FOUND' });
    return d;
  }

  async loadAddon() {
    if (this.addonError) throw this.addonError;
  }

  async version() {
    this.#check();
    return { module: '0.15.90', code: 0xf5a, library: '0.15.90', moduleString: '0.15.90' };
  }

  async list() {
    this.#check();
    return [...this.devices.values()];
  }

  async add(o: AddOptions) {
    this.#check();
    this.added.push(o);
    const nr = o.outputNr ?? 10 + this.devices.size;
    const split = o.captureNr !== undefined;
    const capNr = typeof o.captureNr === 'number' ? o.captureNr : nr + 1;
    const d = device(nr, { label: o.label ?? 'Dummy', split, captureNr: split ? capNr : nr, capturePath: `/dev/video${split ? capNr : nr}` });
    this.devices.set(nr, d);
    return d;
  }

  async remove(ref: string) {
    this.#check();
    if (this.failFor.has(ref)) throw this.failFor.get(ref);
    this.devices.delete(this.#find(ref).nr);
  }

  async query(ref: string) {
    this.#check();
    if (this.failFor.has(ref)) throw this.failFor.get(ref);
    return this.#find(ref);
  }

  async open(ref: string): Promise<DeviceHandle> {
    this.#check();
    const d = this.#find(ref);
    const lib = this;
    return {
      path: d.path,
      capturePath: d.capturePath,
      label: d.label,
      get caps(): Caps | undefined {
        return lib.caps;
      },
      set caps(v: string | Caps) {
        if (v === 'any') lib.keep = false;
        else {
          lib.caps = typeof v === 'string' ? { fourcc: v.slice(0, 4) } : v;
          lib.keep = true;
        }
      },
      get capsString() {
        return lib.caps ? `${lib.caps.fourcc}:${lib.caps.width}x${lib.caps.height}` : undefined;
      },
      get fps(): number | undefined {
        return lib.fpsValue ? lib.fpsValue.numerator / lib.fpsValue.denominator : undefined;
      },
      set fps(v: number | string) {
        const [n, dd] = String(v).split('/');
        lib.fpsValue = { numerator: Number(n), denominator: dd ? Number(dd) : 1 };
      },
      get fpsFraction() {
        return lib.fpsValue;
      },
      get keepFormat() {
        return lib.keep;
      },
      set keepFormat(v: boolean) {
        lib.keep = v;
      },
      sustainFramerate: false,
      timeout: 0,
      readers: 2,
      frames: 120,
      state: 'capture',
      setTimeoutImage: async () => undefined,
      close: async () => undefined,
    };
  }

  async openCamera(): Promise<never> {
    throw new Error('not in the fake');
  }

  async openCapture(): Promise<never> {
    throw new Error('not in the fake');
  }
}

export interface FakeMachine {
  files: Record<string, string>;
  readWrite: Set<string>;
  modinfo: Record<string, string>;
  groups: number[];
}

export function fakeDoctorEnv(m: FakeMachine): DoctorEnv {
  return {
    readFile: async (p) => m.files[p],
    exists: async (p) => p in m.files || Object.keys(m.files).some((f) => f.startsWith(`${p}/`)),
    canReadWrite: async (p) => m.readWrite.has(p),
    exec: async (_cmd, args) => {
      const key = args.join(' ');
      return key in m.modinfo ? { code: 0, stdout: m.modinfo[key]! } : { code: 1, stdout: '' };
    },
    kernelRelease: () => '6.1.0-56-amd64',
    uid: () => 1000,
    groups: () => m.groups,
    packageRoot: () => '/usr/lib/node_modules/v4l2loopback',
  };
}

export interface Captured {
  deps: CliDeps;
  lib: FakeLibrary;
  out: () => string;
  err: () => string;
}

export function fakeDeps(machine?: Partial<FakeMachine>): Captured {
  const out: string[] = [];
  const err: string[] = [];
  const lib = new FakeLibrary();
  const m: FakeMachine = { files: {}, readWrite: new Set(), modinfo: {}, groups: [], ...machine };
  return {
    lib,
    deps: {
      lib,
      io: { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) },
      doctor: fakeDoctorEnv(m),
      cliVersion: '0.1.0',
      outcome: { exitCode: 0 },
    },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}
