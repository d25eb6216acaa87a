// ctl-classic.test.ts - v4l2loopback-ctl habits of the classic tool against
// the real module: `add -v` is verbose, long options abbreviate, delete goes
// on past a device it cannot remove; and `stream --create` removes the
// device it made when Ctrl-C (SIGINT) stops it, at a fractional frame rate.
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ctl, startCtl } from '../helpers/cli.js';
import { loadModule } from '../helpers/kernel.js';

beforeAll(async () => {
  await loadModule({ devices: 0 });
});

const attr = (node: string, a: string): string | undefined => {
  try {
    return readFileSync(`/sys/class/video4linux/${node}/${a}`, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** The video node whose card label is `label`, if any. */
const nodeByLabel = (label: string): string | undefined => readdirSync('/sys/class/video4linux').find((n) => attr(n, 'name') === label);

describe('v4l2loopback-ctl as the classic tool', () => {
  it('add -v prints the configuration; abbreviated long options; delete goes on past a missing device', async () => {
    const add = await ctl(['add', '-v', '--na=Classic', '--max-w', '640', '-b', '3']);
    expect(add.code, add.stderr).toBe(0);
    const [path, ...config] = add.stdout.trimEnd().split('\n');
    expect(path).toMatch(/^\/dev\/video\d+$/);
    expect(config).toContain('\tcard_label       : Classic');
    expect(config).toContain('\tmax_width        : 640');
    expect(config).toContain('\tmax_buffers      : 3');
    const del = await ctl(['delete', '/dev/video63', path!]);
    expect(del.code).toBe(3);
    expect(del.stderr).toMatch(/^error: .*video63/);
    expect(nodeByLabel('Classic')).toBeUndefined();
  });

  it('stream --create --fps 29.97: the device runs at 30000/1001 and is removed on Ctrl-C', async () => {
    const label = 'Made by stream';
    const s = startCtl(['stream', '--create', label, '--fps', '29.97', '--size', '320x240', '--json']);
    let node: string | undefined;
    for (let i = 0; i < 300 && !node; i++) {
      const n = nodeByLabel(label);
      if (n && attr(n, 'state') === 'capture') node = n;
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(node, 'the created device streaming').toBeDefined();
    expect(attr(node!, 'format')).toMatch(/@30000\/1001$/);
    s.child.kill('SIGINT');
    const r = await s.result;
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ device: `/dev/${node}`, removed: true });
    expect(nodeByLabel(label)).toBeUndefined();
  });
});
