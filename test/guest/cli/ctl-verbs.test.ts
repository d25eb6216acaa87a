// ctl-verbs.test.ts - v4l2loopback-ctl's classic verbs against the real
// module: add (combined and split), list, query, delete, fps and caps, with
// the documented exit codes for missing and busy devices.
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { ctl, ctlOk } from '../helpers/cli.js';
import { loadModule } from '../helpers/kernel.js';

beforeAll(async () => {
  await loadModule({ devices: 0 });
});

describe('v4l2loopback-ctl verbs', () => {
  it('add prints the node, list and query show it, delete removes it', async () => {
    const add = await ctl(['add', '-n', 'CLI cam', '-b', '4', '-w', '1280', '-h', '720']);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    const path = add.stdout.trim();
    expect(path).toMatch(/^\/dev\/video\d+$/);

    const list = await ctl(['list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`${path}\t${path}\tCLI cam`);

    const q = await ctl(['query', '--json', 'CLI cam']);
    expect(q.code).toBe(0);
    expect(JSON.parse(q.stdout)[0]).toMatchObject({ path, label: 'CLI cam', maxBuffers: 4, maxWidth: 1280, maxHeight: 720, split: false });

    await ctlOk(['delete', path]);
    expect((await ctl(['list'])).stdout).not.toContain(path);
  });

  it('add with two devices makes a split device (output + capture node)', async () => {
    const add = await ctl(['add', '--json', '-n', 'Split cam', '40', '41']);
    expect(add.code, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ path: '/dev/video40', capturePath: '/dev/video41', split: true });
    expect((await ctl(['list'])).stdout).toContain('/dev/video40\t/dev/video41\tSplit cam');
    await ctlOk(['delete', '41']);
  });

  it('exit code 3 for a missing device, 5 for a busy one, 2 for bad input', async () => {
    const missing = await ctl(['delete', '--json', '/dev/video63']);
    expect(missing.code).toBe(3);
    expect(missing.stdout).toBe('');
    expect(JSON.parse(missing.stderr).error.code).toMatch(/ENODEV|ENOENT|ERR_DEVICE_NOT_FOUND/);

    const path = (await ctl(['add'])).stdout.trim();
    const fh = await open(path, 'r');
    try {
      const busy = await ctl(['delete', path]);
      expect(busy.code).toBe(5);
      expect(busy.stderr).toMatch(/^error: EBUSY/);
    } finally {
      await fh.close();
    }
    expect((await ctl(['set-caps', path, 'video/x-raw'])).code).toBe(2);
    expect((await ctl(['set-fps', path, 'many'])).code).toBe(2);
    await ctlOk(['delete', path]);
  });

  it('set-fps/get-fps and set-caps/get-caps round-trip through sysfs', async () => {
    const path = (await ctl(['add'])).stdout.trim();
    await ctlOk(['set-caps', path, 'YUYV:320x240@25']);
    const caps = await ctl(['get-caps', path]);
    expect(caps.stdout.trim()).toBe('YUYV:320x240@25');
    await ctlOk(['set-fps', path, '30000/1001']);
    expect((await ctl(['get-fps', path])).stdout.trim()).toBe('30000/1001');
    await ctlOk(['set-caps', path, 'any']);
    await ctlOk(['delete', path]);
  });

  it('--version names the loaded module', async () => {
    const v = await ctl(['--version']);
    expect(v.code).toBe(0);
    // the classic tool's two lines after our own, so scripts that grep them work
    const mod = readFileSync('/sys/module/v4l2loopback/version', 'utf8').trim();
    expect(v.stdout).toMatch(/^v4l2loopback-ctl v\d+\.\d+\.\d+\n/);
    expect(v.stdout.split('\n').slice(1, 3)).toEqual([`v4l2loopback sysfs v${mod}`, `v4l2loopback module v${mod}`]);
  });
});
