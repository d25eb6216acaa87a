// sharing.test.ts - how open files share one node: several consumers on one
// capture node (the first holder owns the queue until it streams, then
// others join with their own buffers), and on a combined node a producer
// that polls is never taken for a consumer; epoll registrations made for
// EPOLLPRI alone still wake up for frames once EPOLLIN is added.
import { afterAll, describe, expect, it } from 'vitest';
import { loadModule, runOk } from '../helpers/kernel.js';
import { background, consume, prog, readJson, sysfs, waitForProducer, waitForReaders } from '../helpers/kmod.js';

const EBUSY = 16;
const FRAME = 320 * 240 * 2;
const POLLIN = 0x1;
const EPOLLIN = 0x1;

type Steps = Record<string, { errno: number; value?: number; revents?: number; bytesused?: number; wrong?: number; ready?: number; events?: number }>;

async function steps(mode: 'share' | 'poll', cap: number, out: number): Promise<Steps> {
  const r = await runOk(await prog('v4l2l-share'), ['-m', mode, '-c', `/dev/video${cap}`, '-o', `/dev/video${out}`], { timeoutMs: 60_000 });
  return readJson<Steps>(r.stdout);
}

function expectShared(s: Steps): void {
  const ok = (name: string) => expect(s[name], `${name}: ${JSON.stringify(s)}`).toMatchObject({ errno: 0 });
  const busy = (name: string) => expect(s[name], `${name}: ${JSON.stringify(s)}`).toMatchObject({ errno: EBUSY });
  ok('p_fmt');
  ok('p_write');
  ok('a_reqbufs');
  busy('b_while_a_idle');
  ok('a_start');
  ok('b_joins');
  busy('c_while_b_idle');
  ok('b_start');
  ok('c_joins');
  ok('c_start');
  expect(s.readers_3?.value).toBe(3);
  for (const c of ['a_frame', 'b_frame', 'c_frame', 'b_frame2', 'c_frame2']) {
    expect(s[c], `${c}: ${JSON.stringify(s)}`).toEqual({ errno: 0, bytesused: FRAME, wrong: 0 });
  }
  ok('a_streamoff');
  busy('d_while_a_idle');
  ok('d_joins');
  expect(s.readers_end?.value).toBe(0);
}

describe('sharing a node', () => {
  afterAll(async () => {
    await loadModule();
  });

  it('several consumers on one split capture node', async () => {
    await loadModule({ capture_nr: -2 });
    expectShared(await steps('share', 1, 0));
  });

  it('several consumers on one combined node (exclusive_caps=1)', async () => {
    await loadModule({ exclusive_caps: 1 });
    expectShared(await steps('share', 0, 0));
  });

  it('combined node: a polling producer is no consumer; epoll MOD to EPOLLIN wakes up', async () => {
    await loadModule({ exclusive_caps: 0 });
    const s = await steps('poll', 0, 0);
    const all = JSON.stringify(s);
    expect(s.p_fmt?.errno, all).toBe(0);
    expect(s.p_poll_in?.errno, all).toBe(0);
    // nothing to read for a producer: POLLIN is not reported...
    expect((s.p_poll_in?.revents ?? 0) & POLLIN, all).toBe(0);
    // ...and it did not start read() emulation (a consumer)
    expect(s.readers_after_producer_poll?.value, all).toBe(0);
    expect(s.q_poll_inout?.errno, all).toBe(0);
    expect(s.readers_after_inout_poll?.value, all).toBe(0);
    expect(s.p_write?.errno, all).toBe(0);
    expect(s.c_reqbufs?.errno, all).toBe(0);
    expect(s.c_start?.errno, all).toBe(0);
    expect(s.readers_consumer?.value, all).toBe(1);
    expect(s.epoll_add_pri?.errno, all).toBe(0);
    expect(s.epoll_mod_in?.errno, all).toBe(0);
    expect(s.epoll_wait, all).toMatchObject({ errno: 0, ready: 1 });
    expect((s.epoll_wait?.events ?? 0) & EPOLLIN, all).toBe(EPOLLIN);
    expect(s.c_frame, all).toEqual({ errno: 0, bytesused: FRAME, wrong: 0 });
  });

  // With exclusive_caps=0 the node announces both directions and v4l2-ctl
  // picks CAPTURE for --stream-out-mmap (it then is a consumer by its own
  // request); exclusive_caps=1 shows the idle node as an output.
  it('combined node: v4l2-ctl --stream-out-mmap --stream-poll producer, a consumer alongside', async () => {
    await loadModule({ exclusive_caps: 1 });
    const producer = background('v4l2-ctl', ['-d', '/dev/video0', '--set-fmt-video-out=width=320,height=240,pixelformat=YUYV',
      '--stream-out-mmap', '4', '--stream-poll'], 90_000);
    try {
      await waitForProducer(0);
      expect(sysfs(0, 'readers')).toBe('0');
      // a slow consumer (v4l2-ctl sends as fast as it can): readers counts it alone
      const run = consume(0, { frames: 30, holdMs: 50, timeoutS: 40 });
      await waitForReaders(0, 1);
      expect(sysfs(0, 'readers')).toBe('1');
      const r = await run;
      expect(r.error, JSON.stringify(r)).toBeUndefined();
      expect(r.frames).toBe(30);
      expect(r.bytesMismatch).toBe(0);
      expect(sysfs(0, 'readers')).toBe('0');
    } finally {
      const p = await producer.stop();
      expect(p.stderr).not.toMatch(/timeout|error|fail/i);
    }
  });
});
