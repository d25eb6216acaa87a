// environment.test.ts - checks the guest the other guest tests rely on: the
// module under test is loaded, its parameters apply, and the clients exist.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModule, moduleLoaded, modulePath, run } from '../helpers/kernel.js';

describe('sandbox guest', () => {
  it('runs a Debian kernel matching the module build', () => {
    const release = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
    expect(modulePath).toContain(`/out/kmod/${release}/`);
    expect(moduleLoaded()).toBe(true);
  });

  it('reloads the module with parameters, labels with spaces included', async () => {
    await loadModule({ max_width: 1920, devices: 1, card_label: 'My Spaced Camera' });
    expect(readFileSync('/sys/module/v4l2loopback/parameters/max_width', 'utf8').trim()).toBe('1920');
    const names = readdirSync('/sys/class/video4linux').map((n) => readFileSync(`/sys/class/video4linux/${n}/name`, 'utf8').trim());
    expect(names).toContain('My Spaced Camera');
    await loadModule();
    expect(existsSync('/dev/v4l2loopback')).toBe(true);
  });

  it.each(['v4l2-compliance', 'v4l2-ctl', 'ffmpeg', 'gst-launch-1.0', 'chromium'])('has %s', async (tool) => {
    const r = await run('sh', ['-c', `command -v ${tool}`]);
    expect(r.code, `${tool} missing in the guest`).toBe(0);
  });
});
