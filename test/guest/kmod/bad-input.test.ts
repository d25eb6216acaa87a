// bad-input.test.ts - bad requests get their errno and the kernel log stays
// clean (setup.ts fails any test during which the kernel logged a splat):
// control device abuse, impossible formats and rates, oversize buffers,
// out-of-range module parameters, and add/remove cycles.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModule, runOk } from '../helpers/kernel.js';
import { prog, readJson } from '../helpers/kmod.js';

const EINVAL = 22;
const EEXIST = 17;
const EBUSY = 16;
const ENODEV = 19;
const ENOTTY = 25;

interface Case {
  errno: number;
  [k: string]: number | string;
}

describe('bad input', () => {
  afterAll(async () => {
    await loadModule();
  });

  it('control device and video node answer bad requests with their errno', async () => {
    await loadModule();
    const r = await runOk(await prog('v4l2l-ioctl-abuse'), [], { timeoutMs: 120_000 });
    const cases = readJson<Record<string, Case>>(r.stdout);
    const k = (name: string): Case => {
      const v = cases[name];
      if (!v) throw new Error(`no result for ${name}: ${r.stdout}`);
      return v;
    };
    expect(k('version')).toEqual({ errno: 0, value: (0 << 16) | (15 << 8) | 90 });
    expect(k('add_max_buffers_1000').errno).toBe(0);
    expect(k('query_max_buffers')).toEqual({ errno: 0, max_buffers: 32 });
    // the classic tool's uninitialised second field is ignored: a combined node
    expect(k('add_classic_garbage').errno).toBe(0);
    expect(k('query_classic_garbage')).toEqual({ errno: 0, output_nr: k('add_classic_garbage').nr, capture_nr: k('add_classic_garbage').nr });
    expect(k('add_max_width_100000').errno).toBe(EINVAL);
    expect(k('add_min_gt_max').errno).toBe(EINVAL);
    expect(k('add_bad_capture_nr').errno).toBe(EINVAL);
    // a 32-byte label without NUL is cut to 31 characters
    expect(k('add_unterminated_label').errno).toBe(0);
    expect(k('query_label')).toEqual({ errno: 0, length: 31 });
    expect(k('add_existing_nr').errno).toBe(EEXIST);
    // formats are adjusted, never refused (V4L2 S_FMT rules)
    expect(k('fmt_zero_size')).toEqual({ errno: 0, width: 640, height: 480 });
    expect(k('fmt_oversize')).toMatchObject({ errno: 0, width: 8192, height: 8192 });
    expect(k('fmt_tiny')).toEqual({ errno: 0, width: 2, height: 1 });
    expect(k('fmt_unknown_fourcc')).toEqual({ errno: 0, pixelformat: 'BGR4' });
    expect(k('fps_zero')).toEqual({ errno: 0, num: 1, den: 30 });
    expect(k('fps_1e6')).toEqual({ errno: 0, num: 1, den: 1000 });
    // 32 buffers of 256 MiB: the memory budget cuts the count, no vmalloc splat
    expect([0, 12]).toContain(k('reqbufs_huge').errno);
    expect(Number(k('reqbufs_huge').count)).toBeLessThan(32);
    // a CREATE_BUFS size that wraps to 0 when page-aligned in 32 bits
    expect(k('create_bufs_u32_max').errno).toBe(12);
    expect(k('video_unknown_ioctl').errno).toBe(ENOTTY);
    expect(k('remove_busy').errno).toBe(EBUSY);
    expect(k('remove').errno).toBe(0);
    expect(k('remove_again').errno).toBe(ENODEV);
    expect(k('remove_missing').errno).toBe(ENODEV);
    expect(k('query_missing').errno).toBe(ENODEV);
    expect(k('query_missing_zeroed').errno).toBe(ENODEV);
    expect(k('add_split_same_nr').errno).toBe(EINVAL);
    expect(k('query_null').errno).toBe(EINVAL);
    expect(k('legacy_add').errno).toBe(0);
    expect(k('legacy_query')).toMatchObject({ errno: 0, output_nr: k('legacy_add').nr, capture_nr: k('legacy_add').nr });
    expect(k('legacy_remove').errno).toBe(0);
    expect(k('add_split').errno).toBe(0);
    expect(k('query_split')).toMatchObject({ errno: 0, output_nr: k('add_split').nr });
    expect(k('query_split').capture_nr).not.toBe(k('add_split').nr);
    expect(k('add_capture').errno).toBe(0);
    expect(k('remove_split_by_capture').errno).toBe(0);
    expect(k('ctl_unknown_ioctl').errno).toBe(ENOTTY);
  });

  it('out-of-range module parameters are clamped at load', async () => {
    await loadModule({ max_buffers: 1000, max_width: 100000 });
    const param = (p: string) => readFileSync(`/sys/module/v4l2loopback/parameters/${p}`, 'utf8').trim();
    expect(param('max_buffers')).toBe('32');
    expect(param('max_width')).toBe('8192');
  });

  // Thousands of add/remove cycles with streams are the torture suite's
  // (test/torture/churn.test.ts); here the abuse run again and again must
  // leave no reference behind.
  it('survives 20 add/remove cycles of the abuse run', async () => {
    await loadModule({ devices: 0 });
    // the ioctl abuse program adds and removes 4 devices per run
    const abuse = await prog('v4l2l-ioctl-abuse');
    for (let i = 0; i < 5; i++) {
      const r = await runOk(abuse, [], { timeoutMs: 60_000 });
      expect(readJson<Record<string, Case>>(r.stdout).remove?.errno).toBe(0);
    }
    expect(readFileSync('/proc/modules', 'utf8')).toMatch(/^v4l2loopback \d+ 0 /m);
  });
});
