// constants.test.ts - drift guards between the hand-written TypeScript and
// the addon: src/constants.ts against the header-computed constants key by
// key, every constant name the library looks up, and the NativeBinding
// interface against what the addon really exports.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { constants } from '../../../src/constants.js';
import type { NativeBinding } from '../../../src/native.js';
import { addon } from './helpers.js';

// Keyed by NativeBinding, so `npm run typecheck` fails when the interface
// gains or loses a member that this list does not.
const SURFACE: Record<keyof NativeBinding, 'function' | 'object' | 'number'> = {
  uapiVersion: 'number',
  constants: 'object',
  pollEvents: 'object',
  ctlVersion: 'function',
  ctlAdd: 'function',
  ctlRemove: 'function',
  ctlQuery: 'function',
  querycap: 'function',
  enumFormats: 'function',
  enumFrameSizes: 'function',
  enumFrameIntervals: 'function',
  getFormat: 'function',
  setFormat: 'function',
  tryFormat: 'function',
  getParm: 'function',
  setParm: 'function',
  listControls: 'function',
  queryControl: 'function',
  queryMenu: 'function',
  getControl: 'function',
  setControl: 'function',
  subscribeEvent: 'function',
  unsubscribeEvent: 'function',
  dequeueEvent: 'function',
  reqbufs: 'function',
  querybuf: 'function',
  qbuf: 'function',
  dqbuf: 'function',
  qbufIndex: 'function',
  dqbufIndex: 'function',
  streamOn: 'function',
  streamOff: 'function',
  mmap: 'function',
  munmap: 'function',
  write: 'function',
  read: 'function',
  pollerCreate: 'function',
  pollerStart: 'function',
  pollerStop: 'function',
  pollerClose: 'function',
  convert: 'function',
  scaleArgb: 'function',
};

describe('constants drift', () => {
  it('src/constants.ts equals the addon, key by key', () => {
    for (const [key, value] of Object.entries(constants)) {
      expect(addon.constants[key], key).toBe(value);
    }
  });

  it('the UAPI version matches the constant', () => {
    expect(addon.uapiVersion).toBe(addon.constants.V4L2LOOPBACK_VERSION_CODE);
  });

  it('every constant the library looks up by name exists in the addon', () => {
    const srcDir = join(import.meta.dirname, '..', '..', '..', 'src');
    const names = new Set<string>();
    for (const f of readdirSync(srcDir).filter((n) => n.endsWith('.ts'))) {
      const text = readFileSync(join(srcDir, f), 'utf8');
      for (const m of text.matchAll(/constants\.([A-Z][A-Z0-9_]+)/g)) names.add(m[1]!);
      for (const m of text.matchAll(/#cid\('([A-Z0-9_]+)'\)/g)) names.add(m[1]!);
    }
    expect(names.size).toBeGreaterThan(5);
    for (const n of names) expect(addon.constants[n], n).toBeTypeOf('number');
  });

  it("poll events are libuv's (uv.h: 1, 2, 4, 8)", () => {
    expect(addon.pollEvents).toEqual({ READABLE: 1, WRITABLE: 2, DISCONNECT: 4, PRIORITIZED: 8 });
  });
});

describe('native surface', () => {
  it('the addon exports exactly what NativeBinding declares', () => {
    const actual = Object.fromEntries(Object.keys(addon).map((k) => [k, typeof (addon as unknown as Record<string, unknown>)[k]]));
    expect(actual).toEqual(SURFACE);
  });
});
