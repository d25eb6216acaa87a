// sysfs.test.ts - sysfs parsing and device resolution against a fake /sys
// tree in a temp dir.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveNode } from '../../../src/resolve.js';
import { moduleLoaded, moduleParams, readAttr, videoNodes } from '../../../src/sysfs.js';

let sysRoot = '';

function node(nr: number, attrs: Record<string, string>): void {
  const dir = join(sysRoot, 'class', 'video4linux', `video${nr}`);
  mkdirSync(dir, { recursive: true });
  for (const [k, v] of Object.entries(attrs)) writeFileSync(join(dir, k), `${v}\n`);
}

beforeAll(() => {
  sysRoot = mkdtempSync(join(tmpdir(), 'fake-sys-'));
  mkdirSync(join(sysRoot, 'module', 'v4l2loopback', 'parameters'), { recursive: true });
  writeFileSync(join(sysRoot, 'module', 'v4l2loopback', 'parameters', 'max_buffers'), '2\n');
  writeFileSync(join(sysRoot, 'module', 'v4l2loopback', 'parameters', 'exclusive_caps'), 'N,N\n');
  node(0, { name: 'Integrated Camera' }); // not ours: no format/state
  node(2, { name: 'OBS Virtual Camera', format: 'YUYV:1280x720@30', state: 'capture', readers: '1' });
  node(10, { name: 'Loopback 10', format: '', state: 'output' });
});

afterAll(() => rmSync(sysRoot, { recursive: true, force: true }));

describe('sysfs', () => {
  it('sees the module and its parameters', async () => {
    expect(await moduleLoaded({ sysRoot })).toBe(true);
    expect(await moduleParams({ sysRoot })).toEqual({ exclusive_caps: 'N,N', max_buffers: '2' });
    expect(await moduleLoaded({ sysRoot: join(sysRoot, 'nope') })).toBe(false);
  });

  it('lists video nodes, telling ours from others', async () => {
    expect(await videoNodes({ sysRoot })).toEqual([
      { nr: 0, name: 'Integrated Camera', loopback: false },
      { nr: 2, name: 'OBS Virtual Camera', loopback: true },
      { nr: 10, name: 'Loopback 10', loopback: true },
    ]);
  });

  it('reads attributes', async () => {
    expect(await readAttr(2, 'format', { sysRoot })).toBe('YUYV:1280x720@30');
    expect(await readAttr(10, 'format', { sysRoot })).toBe('');
    expect(await readAttr(10, 'missing', { sysRoot })).toBeUndefined();
  });
});

describe('resolveNode', () => {
  it('takes numbers, numeric strings, paths and labels', async () => {
    expect(await resolveNode(7, { sysRoot })).toBe(7);
    expect(await resolveNode('7', { sysRoot })).toBe(7);
    expect(await resolveNode('/dev/video12', { sysRoot })).toBe(12);
    expect(await resolveNode('video3', { sysRoot })).toBe(3);
    expect(await resolveNode('OBS Virtual Camera', { sysRoot })).toBe(2);
  });

  it('explains an unknown label, listing the devices', async () => {
    await expect(resolveNode('Nope', { sysRoot })).rejects.toMatchObject({
      code: 'ERR_DEVICE_NOT_FOUND',
      message: expect.stringContaining("/dev/video2 'OBS Virtual Camera'"),
    });
  });

  it('says when the module is not loaded', async () => {
    await expect(resolveNode('Some label', { sysRoot: join(sysRoot, 'nope') })).rejects.toMatchObject({ code: 'ERR_MODULE_NOT_LOADED' });
  });

  it('rejects bad references', async () => {
    await expect(resolveNode(-1)).rejects.toThrow(RangeError);
    await expect(resolveNode('/dev/null')).rejects.toThrow(/videoN path/);
  });
});
