// classic.test.ts - the CLI's classic-tool habits over a fake library:
// `add -v` is verbose, `-?`/`-h` are help on every verb, long options
// abbreviate (getopt_long's unique prefixes), delete/query go on past a bad
// device, errors keep their full text and hint, doctor checks the addon and
// prints fixes that work from an installed package.
import { describe, expect, it } from 'vitest';
import { fpsArg } from '../../../cli/commands/stream.js';
import { main } from '../../../cli/main.js';
import { device, fakeDeps, sysError } from './fake-deps.js';

const run = (f: ReturnType<typeof fakeDeps>, ...args: string[]) => main(['node', 'v4l2loopback-ctl', ...args], f.deps);

describe('classic options', () => {
  it('add -v is verbose, not the top-level --version', async () => {
    const f = fakeDeps();
    expect(await run(f, 'add', '-v', '-n', 'V')).toBe(0);
    expect(f.out()).toMatch(/^\/dev\/video10\n\tcapture_device# {2}: 10\n/);
    expect(f.out()).toContain('\tcard_label       : V\n');
    expect(f.out()).not.toContain('v4l2loopback-ctl v');
  });

  it.each(['add', 'delete', 'query', 'list', 'set-fps', 'get-fps', 'set-caps', 'get-caps', 'set-timeout-image', 'status', 'stream', 'snapshot', 'doctor'])(
    '-? prints the help of %s and exits 0',
    async (verb) => {
      const f = fakeDeps();
      expect(await run(f, verb, '-?')).toBe(0);
      expect(f.out()).toContain(`Usage: v4l2loopback-ctl ${verb}`);
      expect(f.err()).toBe('');
    },
  );

  it('-h is help on every verb but add, where it is --max-height; -? is help at the top', async () => {
    const f = fakeDeps();
    expect(await run(f, 'query', '-h')).toBe(0);
    expect(f.out()).toContain('Usage: v4l2loopback-ctl query');
    const g = fakeDeps();
    expect(await run(g, 'add', '-h', '720')).toBe(0);
    expect(g.lib.added[0]).toEqual({ maxHeight: 720 });
    const h = fakeDeps();
    expect(await run(h, '-?')).toBe(0);
    expect(h.out()).toContain('Usage: v4l2loopback-ctl [options] [command]');
  });

  it('long options abbreviate to a unique prefix, with a space or =', async () => {
    const f = fakeDeps();
    expect(await run(f, 'add', '--na=Short', '--max-w', '640', '--excl', '1', '--buf=3', '--verb')).toBe(0);
    expect(f.lib.added[0]).toEqual({ label: 'Short', maxWidth: 640, exclusiveCaps: true, maxBuffers: 3 });
    expect(f.out()).toContain('\tcard_label       : Short\n');
    const g = fakeDeps();
    g.lib.devices.set(2, device(2, { label: 'a"b' }));
    expect(await run(g, 'query', '--esc', '2')).toBe(0);
    expect(g.out()).toContain('\tcard_label       : "a\\"b"\n');
  });

  it('an ambiguous prefix is a usage error naming the candidates', async () => {
    const f = fakeDeps();
    expect(await run(f, 'add', '--max', '640')).toBe(2);
    expect(f.err()).toBe("error: option '--max' is ambiguous; possibilities: '--max-openers' '--max-width' '--max-height'\n");
    expect(f.lib.added).toEqual([]);
  });

  it("commander's suggestion stays in the message", async () => {
    const f = fakeDeps();
    expect(await run(f, 'lsit')).toBe(2);
    expect(f.err()).toBe("error: unknown command 'lsit' (Did you mean list?)\nhint: see 'v4l2loopback-ctl --help'\n");
  });
});

describe('several devices', () => {
  it('delete goes on past a device it cannot remove and exits with the last failure', async () => {
    const f = fakeDeps();
    for (const nr of [2, 3, 4]) f.lib.devices.set(nr, device(nr));
    f.lib.failFor.set('3', Object.assign(sysError('EBUSY', -16, 'ioctl', 'V4L2LOOPBACK_CTL_REMOVE'), { hint: '/dev/video3 is in use by obs (pid 7)' }));
    expect(await run(f, 'delete', '2', '3', '4', '/dev/video9')).toBe(3);
    expect([...f.lib.devices.keys()]).toEqual([3]);
    expect(f.err()).toBe(
      'error: EBUSY: failed, ioctl V4L2LOOPBACK_CTL_REMOVE\nhint: /dev/video3 is in use by obs (pid 7)\nerror: No v4l2loopback device matches /dev/video9\n',
    );
  });

  it('query prints the devices it can and one JSON error line per failure in --json mode', async () => {
    const f = fakeDeps();
    f.lib.devices.set(2, device(2));
    expect(await run(f, 'query', '9', '2')).toBe(3);
    expect(f.out()).toContain('/dev/video2\n\tcapture_device#  : 2\n');
    expect(f.err()).toBe('error: No v4l2loopback device matches 9\n');
    const g = fakeDeps();
    g.lib.devices.set(2, device(2));
    expect(await run(g, 'query', '--json', '2', '9')).toBe(3);
    expect(g.out()).toBe('');
    expect(g.err().trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { error: { message: 'No v4l2loopback device matches 9', code: 'ERR_DEVICE_NOT_FOUND' } },
    ]);
  });
});

describe('error text', () => {
  it('keeps every line of the message, and the hint once', async () => {
    const f = fakeDeps();
    f.lib.failWith = Object.assign(new Error('No loopback device accepted 640x480 yuyv:\n  /dev/video2: EBUSY\n  /dev/video3: EINVAL (hint here)'), {
      code: 'ERR_DEVICE_NOT_FOUND',
      hint: 'hint here',
    });
    expect(await run(f, 'list')).toBe(3);
    expect(f.err()).toBe('error: No loopback device accepted 640x480 yuyv:\n  /dev/video2: EBUSY\n  /dev/video3: EINVAL\nhint: hint here\n');
    const g = fakeDeps();
    g.lib.failWith = f.lib.failWith;
    expect(await run(g, 'list', '--json')).toBe(3);
    const lines = g.err().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      error: { message: 'No loopback device accepted 640x480 yuyv:\n  /dev/video2: EBUSY\n  /dev/video3: EINVAL', code: 'ERR_DEVICE_NOT_FOUND', hint: 'hint here' },
    });
  });

  it('set-caps fails with the error the device handle throws (not the old caps)', async () => {
    const f = fakeDeps();
    f.lib.devices.set(2, device(2));
    const lib = f.lib;
    const open = lib.open.bind(lib);
    lib.open = async (ref: string) => {
      const h = await open(ref);
      Object.defineProperty(h, 'caps', {
        get: () => ({ fourcc: 'YUYV', width: 320, height: 240 }),
        set: () => {
          throw Object.assign(new Error('EBUSY: resource busy or locked, ioctl VIDIOC_S_FMT (pinned)'), { code: 'EBUSY', errno: -16, syscall: 'ioctl', ioctl: 'VIDIOC_S_FMT', hint: 'pinned' });
        },
      });
      return h;
    };
    expect(await run(f, 'set-caps', '2', 'UYVY:640x480')).toBe(5);
    expect(f.out()).toBe('');
    expect(f.err()).toBe('error: EBUSY: resource busy or locked, ioctl VIDIOC_S_FMT\nhint: pinned\n');
  });
});

describe('stream --fps', () => {
  it.each([
    ['30', { numerator: 30, denominator: 1 }],
    ['29.97', { numerator: 30000, denominator: 1001 }],
    ['30000/1001', { numerator: 30000, denominator: 1001 }],
    ['12.5', { numerator: 25, denominator: 2 }],
  ])('takes %s', (text, want) => {
    expect(fpsArg(text)).toEqual(want);
  });

  it.each(['0', 'fast', '2000', '-5'])('refuses %s as a usage error', async (text) => {
    const f = fakeDeps();
    expect(await run(f, 'stream', '2', '--fps', text)).toBe(2);
    expect(f.err()).toMatch(/^error: .*--fps must be/);
  });

  it('needs a device or --create, not both', async () => {
    const f = fakeDeps();
    expect(await run(f, 'stream')).toBe(2);
    expect(f.err()).toContain('missing <device> (or --create to make one)');
    const g = fakeDeps();
    expect(await run(g, 'stream', '2', '--create')).toBe(2);
    expect(g.err()).toContain('give either a <device> or --create, not both');
  });
});

describe('set-fps', () => {
  it('takes a decimal rate as its nearest fraction', async () => {
    const f = fakeDeps();
    f.lib.devices.set(2, device(2));
    expect(await run(f, 'set-fps', '2', '29.97')).toBe(0);
    expect(f.lib.fpsValue).toEqual({ numerator: 30000, denominator: 1001 });
    expect(f.out()).toBe('30000/1001\n');
  });
});

describe('doctor', () => {
  it('fails when the addon does not load, with the fixes from its message', async () => {
    const f = fakeDeps();
    f.lib.addonError = Object.assign(
      new Error('Could not load the v4l2loopback native addon (tried x): boom\nPossible solutions:\n- run `npm rebuild v4l2loopback`.\n- Set V4L2LOOPBACK_NATIVE_PATH.'),
      { code: 'ERR_ADDON_NOT_BUILT' },
    );
    expect(await run(f, 'doctor')).toBe(1);
    expect(f.out()).toContain('[FAIL] native addon: Could not load the v4l2loopback native addon (tried x): boom\n');
    expect(f.out()).toContain('       fix: run `npm rebuild v4l2loopback`. | Set V4L2LOOPBACK_NATIVE_PATH.\n');
    expect(f.out()).toContain('[skip] devices: needs the native addon (see above)\n');
  });

  it('prints fixes that use the installed package, never Makefile targets', async () => {
    const f = fakeDeps({ files: { '/dev/v4l2loopback': '' }, groups: [44] });
    await run(f, 'doctor', '--json');
    const { checks } = JSON.parse(f.out()) as { checks: { id: string; status: string; fix?: string }[] };
    const fixes = checks.map((c) => c.fix ?? '');
    expect(checks.find((c) => c.id === 'addon')).toMatchObject({ status: 'ok' });
    expect(fixes.join('\n')).not.toMatch(/\bmake\b/);
    expect(checks.find((c) => c.id === 'module-installed')?.fix).toBe(
      'sudo apt-get install dkms linux-headers-$(uname -r) && sudo dkms install /usr/lib/node_modules/v4l2loopback',
    );
    expect(checks.find((c) => c.id === 'udev')?.fix).toContain('sudo install -m 0644 /usr/lib/node_modules/v4l2loopback/udev/60-v4l2loopback.rules /etc/udev/rules.d/');
  });
});
