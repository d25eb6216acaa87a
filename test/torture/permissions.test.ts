// permissions.test.ts - torture scenario 7a: with the udev rule's owner and
// mode applied to /dev/v4l2loopback (group video, 0660, read from
// udev/60-v4l2loopback.rules), a user outside group video can neither add
// nor remove devices, through the raw ioctl (open() fails with EACCES) or
// the CLI (exit code 4), and his attempts change nothing; a member of video
// (supplementary or primary group) can do both.
import { chmod, chown, readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { list } from '../../src/index.js';
import { ctlAs } from '../guest/helpers/cli.js';
import { loadModule, moduleLoaded, unloadModule } from '../guest/helpers/kernel.js';
import { addDevice, type AsUser, ctlio, EACCES } from './helpers/ctl.js';

const rulesFile = join(import.meta.dirname, '..', '..', 'udev', '60-v4l2loopback.rules');
const CONTROL = '/dev/v4l2loopback';

/** GROUP and MODE that the rule gives the control device */
async function controlRule(): Promise<{ group: string; mode: number }> {
  const rules = await readFile(rulesFile, 'utf8');
  const line = rules.split('\n').find((l) => /KERNEL=="v4l2loopback"/.test(l) && !l.trimStart().startsWith('#'));
  const group = line && /GROUP="([^"]+)"/.exec(line)?.[1];
  const mode = line && /MODE="([0-7]+)"/.exec(line)?.[1];
  if (!group || !mode) throw new Error(`no GROUP/MODE for the control device in ${rulesFile}`);
  return { group, mode: parseInt(mode, 8) };
}

async function groupId(name: string): Promise<number> {
  const line = (await readFile('/etc/group', 'utf8')).split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no group ${name} in /etc/group`);
  return Number(line.split(':')[2]);
}

let videoGid = 0;
let outsider: AsUser;
let outsiderInGroups: AsUser;
let member: AsUser;
let primaryMember: AsUser;

beforeAll(async () => {
  await loadModule({ devices: 0 });
  const rule = await controlRule();
  videoGid = await groupId(rule.group);
  // what udev does with the rule: chgrp and chmod the node
  await chown(CONTROL, 0, videoGid);
  await chmod(CONTROL, rule.mode);
  const s = await stat(CONTROL);
  expect(s.gid).toBe(videoGid);
  expect(s.mode & 0o777).toBe(0o660);
  outsider = { uid: 1001, groups: [] };
  outsiderInGroups = { uid: 1002, groups: [100, 29] }; // users, audio: not video
  member = { uid: 1000, groups: [videoGid] };
  primaryMember = { uid: 1003, gid: videoGid, groups: [] };
});

afterAll(async () => {
  if (!moduleLoaded()) await loadModule();
});

async function deviceCount(): Promise<number> {
  return (await list()).length;
}

describe('control device permissions (udev rule applied)', () => {
  it('a user outside video can neither add nor remove, with the raw ioctl or the CLI', async () => {
    const { out } = await addDevice(['label=root cam']);
    const before = await deviceCount();
    for (const who of [outsider, outsiderInGroups]) {
      const tag = `uid ${who.uid} groups ${who.groups.join(',')}`;
      expect(await ctlio(['add'], who), tag).toEqual({ errno: EACCES, stage: 'open' });
      expect(await ctlio(['add', 'capture_nr=-2'], who), tag).toEqual({ errno: EACCES, stage: 'open' });
      expect(await ctlio(['remove', String(out)], who), tag).toEqual({ errno: EACCES, stage: 'open' });
      expect(await ctlio(['query', String(out)], who), tag).toEqual({ errno: EACCES, stage: 'open' });

    }
    // the CLI (slow to start under TCG: one user)
    const add = await ctlAs(outsider.uid, outsider.groups, ['add', '-n', 'outsider cam']);
    expect(add.code, add.stderr).toBe(4);
    expect(add.stderr).toMatch(/EACCES/);
    const del = await ctlAs(outsider.uid, outsider.groups, ['delete', `/dev/video${out}`]);
    expect(del.code, del.stderr).toBe(4);
    // nothing changed: the device is still there, no device was added
    expect(await deviceCount()).toBe(before);
    expect(existsSync(`/dev/video${out}`)).toBe(true);
    expect((await ctlio(['query', String(out)])).label).toBe('root cam');
    expect((await ctlio(['remove', String(out)])).errno).toBe(0);
  });

  it('a member of video adds and removes devices with the raw ioctl', async () => {
    for (const who of [member, primaryMember]) {
      const tag = `uid ${who.uid}`;
      const a = await ctlio(['add', 'capture_nr=-2', 'label=member cam'], who);
      expect(a.errno, tag).toBe(0);
      const nr = a.nr!;
      expect(existsSync(`/dev/video${nr}`)).toBe(true);
      const q = await ctlio(['query', String(nr)], who);
      expect(q).toMatchObject({ errno: 0, output_nr: nr, label: 'member cam' });
      expect((await ctlio(['remove', String(q.capture_nr)], who)).errno, tag).toBe(0);
      expect(existsSync(`/dev/video${nr}`)).toBe(false);
    }
    // and may remove a device root made
    const { out } = await addDevice();
    expect((await ctlio(['remove', String(out)], member)).errno).toBe(0);
  });

  it('a member of video adds and deletes devices with the CLI', async () => {
    const before = await deviceCount();
    const add = await ctlAs(member.uid, member.groups, ['add', '--split', '--json', '-n', 'cli member cam']);
    expect(add.code, add.stderr).toBe(0);
    const d = JSON.parse(add.stdout) as { path: string; capturePath: string };
    expect(existsSync(d.path)).toBe(true);
    expect(await deviceCount()).toBe(before + 1);
    const del = await ctlAs(member.uid, member.groups, ['delete', d.path]);
    expect(del.code, del.stderr).toBe(0);
    expect(existsSync(d.path)).toBe(false);
    expect(await deviceCount()).toBe(before);
  });

  it('the module unloads cleanly afterwards', async () => {
    await unloadModule();
    expect(moduleLoaded()).toBe(false);
  });
});
