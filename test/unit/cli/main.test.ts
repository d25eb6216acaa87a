// main.test.ts - the CLI end to end over a fake library: classic syntax,
// --json contract, exit codes, error lines.
import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.js';
import { device, fakeDeps, sysError } from './fake-deps.js';

const run = (f: ReturnType<typeof fakeDeps>, ...args: string[]) => main(['node', 'v4l2loopback-ctl', ...args], f.deps);

describe('v4l2loopback-ctl', () => {
  it('add prints the new node and passes classic options through', async () => {
    const f = fakeDeps();
    expect(await run(f, 'add', '-n', 'Cam', '-x', '1', '-b', '4', '-w', '1920', '-h', '1080', '/dev/video7')).toBe(0);
    expect(f.out()).toBe('/dev/video7\n');
    expect(f.lib.added[0]).toEqual({ label: 'Cam', exclusiveCaps: true, maxBuffers: 4, maxWidth: 1920, maxHeight: 1080, outputNr: 7 });
  });

  it('add with two different devices makes a split device and prints both nodes', async () => {
    const f = fakeDeps();
    expect(await run(f, 'add', '3', '/dev/video4')).toBe(0);
    expect(f.lib.added[0]).toEqual({ outputNr: 3, captureNr: 4 });
    expect(f.out()).toBe('/dev/video3\n/dev/video4\n');
  });

  it('add --split asks the driver to number the capture node', async () => {
    const f = fakeDeps();
    expect(await run(f, 'add', '--split', '-n', 'S')).toBe(0);
    expect(f.lib.added[0]).toEqual({ label: 'S', captureNr: 'auto' });
    expect(f.out().trim().split('\n')).toHaveLength(2);
  });

  it('add with the same device twice makes a combined device', async () => {
    const f = fakeDeps();
    expect(await run(f, 'add', '3', '3')).toBe(0);
    expect(f.lib.added[0]).toEqual({ outputNr: 3 });
  });

  it('rejects min above max and bad numbers as usage errors (exit 2)', async () => {
    const f = fakeDeps();
    expect(await run(f, 'add', '--min-width', '640', '-w', '320')).toBe(2);
    expect(f.err()).toMatch(/^error: --min-width \(640\) is larger than --max-width \(320\)/);
    expect(f.lib.added).toEqual([]);
    const g = fakeDeps();
    expect(await run(g, 'add', '-b', '1000')).toBe(2);
    expect(g.err()).toContain('--buffers must be an integer from 1 to 32');
  });

  it('--json prints one JSON document; errors leave stdout empty and one JSON line on stderr', async () => {
    const f = fakeDeps();
    expect(await run(f, 'add', '--json', '-n', 'J')).toBe(0);
    expect(JSON.parse(f.out())).toMatchObject({ label: 'J', path: expect.stringMatching(/^\/dev\/video\d+$/) });
    const g = fakeDeps();
    g.lib.failWith = sysError('EBUSY', -16, 'ioctl', 'V4L2LOOPBACK_CTL_REMOVE');
    expect(await run(g, 'delete', '--json', '3')).toBe(5);
    expect(g.out()).toBe('');
    const lines = g.err().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({ error: expect.objectContaining({ code: 'EBUSY', errno: -16, syscall: 'ioctl', ioctl: 'V4L2LOOPBACK_CTL_REMOVE' }) });
  });

  it.each([
    ['ERR_MODULE_NOT_LOADED', 3],
    ['ENODEV', 3],
    ['ENOENT', 3],
    ['EACCES', 4],
    ['EPERM', 4],
    ['EBUSY', 5],
    ['EIO', 1],
  ])('maps %s to exit code %i', async (code, exit) => {
    const f = fakeDeps();
    f.lib.failWith = Object.assign(new Error(`${code} happened`), { code });
    expect(await run(f, 'list')).toBe(exit);
    expect(f.err()).toMatch(/^error: /);
  });

  it('unknown verbs and options are usage errors with a hint', async () => {
    const f = fakeDeps();
    expect(await run(f, 'frobnicate')).toBe(2);
    expect(f.err()).toBe("error: unknown command 'frobnicate'\nhint: see 'v4l2loopback-ctl --help'\n");
    const g = fakeDeps();
    expect(await run(g, 'list', '--bogus')).toBe(2);
  });

  it('help lists the exit codes and exits 0', async () => {
    const f = fakeDeps();
    expect(await run(f, '--help')).toBe(0);
    expect(f.out()).toContain('5  device busy');
  });

  it('delete accepts any del* prefix and several devices', async () => {
    const f = fakeDeps();
    f.lib.devices.set(3, device(3));
    f.lib.devices.set(4, device(4));
    expect(await run(f, 'dele', '/dev/video3', '4')).toBe(0);
    expect(f.lib.devices.size).toBe(0);
  });

  it('list prints the header on stderr and rows on stdout; -e escapes labels', async () => {
    const f = fakeDeps();
    f.lib.devices.set(2, device(2, { label: 'My "cam"\n' }));
    f.lib.devices.set(5, device(5, { split: true, captureNr: 6, capturePath: '/dev/video6', label: 'Split' }));
    expect(await run(f, 'list', '-e')).toBe(0);
    expect(f.err()).toBe('OUTPUT\tCAPTURE\tNAME\n');
    expect(f.out()).toBe('/dev/video2\t/dev/video2\t"My \\"cam\\"\\n"\n/dev/video5\t/dev/video6\t"Split"\n');
  });

  it('query prints the classic fields', async () => {
    const f = fakeDeps();
    f.lib.devices.set(2, device(2, { exclusiveCaps: true }));
    expect(await run(f, 'query', '2')).toBe(0);
    expect(f.out()).toContain('\toutput_device#   : 2\n');
    expect(f.out()).toContain('\tannounce_all_caps: 0\n');
  });

  it('set-fps takes N or N/D and the deprecated reversed order', async () => {
    const f = fakeDeps();
    f.lib.devices.set(2, device(2));
    expect(await run(f, 'set-fps', '2', '30000/1001')).toBe(0);
    expect(f.out()).toBe('30000/1001\n');
    const g = fakeDeps();
    g.lib.devices.set(2, device(2));
    expect(await run(g, 'set-fps', '25', '/dev/video2')).toBe(0);
    expect(g.err()).toContain('deprecated');
    expect(g.lib.fpsValue).toEqual({ numerator: 25, denominator: 1 });
  });

  it('bad fps and caps strings are usage errors', async () => {
    const f = fakeDeps();
    f.lib.devices.set(2, device(2));
    expect(await run(f, 'set-fps', '2', 'fast')).toBe(2);
    expect(await run(f, 'set-caps', '2', 'video/x-raw,format=YUY2')).toBe(2);
    expect(await run(f, 'set-caps', '2', 'YUYV:0x480')).toBe(2);
    expect(await run(f, 'set-fps', '2', '5000')).toBe(2);
  });

  it('get-caps exits 1 with nothing negotiated, prints caps otherwise', async () => {
    const f = fakeDeps();
    f.lib.devices.set(2, device(2));
    expect(await run(f, 'get-caps', '2')).toBe(1);
    f.lib.caps = { fourcc: 'YUYV', width: 640, height: 480, fps: { numerator: 30, denominator: 1 } };
    expect(await run(f, 'get-caps', '2')).toBe(0);
    expect(f.out()).toBe('YUYV:640x480@30\n');
  });

  it('--version prints the CLI version, then the classic tool\'s sysfs and module lines', async () => {
    const f = fakeDeps();
    expect(await run(f, '--version')).toBe(0);
    expect(f.out()).toBe('v4l2loopback-ctl v0.1.0\nv4l2loopback sysfs v0.15.90\nv4l2loopback module v0.15.90\n');
  });

  it('status reports producer, readers and format', async () => {
    const f = fakeDeps();
    f.lib.devices.set(2, device(2));
    f.lib.caps = { fourcc: 'NV12', width: 1280, height: 720 };
    expect(await run(f, 'status', '--json')).toBe(0);
    expect(JSON.parse(f.out())).toEqual([expect.objectContaining({ device: '/dev/video2', producer: true, readers: 2, frames: 120, format: 'NV12:1280x720' })]);
  });
});
