// ctl-stream.test.ts - `stream`, `snapshot`, `status` and
// `set-timeout-image` against the real module: a pattern streamed by one
// CLI process is seen by another, and the timeout image replaces it.
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ctl, ctlOk, startCtl } from '../helpers/cli.js';
import { loadModule, runOk } from '../helpers/kernel.js';

beforeAll(async () => {
  await loadModule({ devices: 0 });
});

function png(width: number, height: number, rgb: [number, number, number]): Buffer {
  const p = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) p.data.set([...rgb, 255], i * 4);
  return PNG.sync.write(p);
}

function centre(file: Buffer): [number, number, number, number, number] {
  const p = PNG.sync.read(file);
  const i = (Math.floor(p.height / 2) * p.width + Math.floor(p.width / 2)) * 4;
  return [p.width, p.height, p.data[i]!, p.data[i + 1]!, p.data[i + 2]!];
}

/** Waits until `status` reports a producer on the device. */
async function waitForProducer(path: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const s = await ctl(['status', '--json', path]);
    if (s.code === 0 && JSON.parse(s.stdout)[0]?.producer) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no producer on ${path} after 30 s`);
}

describe('v4l2loopback-ctl stream / snapshot / status / set-timeout-image', () => {
  it('streams a pattern that snapshot and status see', async () => {
    const path = (await ctl(['add', '-n', 'Stream cam'])).stdout.trim();
    // No --duration: it streams until Ctrl-C (SIGINT), which must end it cleanly.
    const streaming = startCtl(['stream', path, '--pattern', 'bars', '--size', '320x240', '--fps', '15', '--json']);
    await waitForProducer(path);
    const out = join(tmpdir(), 'snap.png');
    const snap = await ctl(['snapshot', path, out, '--timeout', '20000']);
    expect(snap.code, snap.stderr).toBe(0);
    const [w, h, r, g, b] = centre(await readFile(out));
    expect([w, h]).toEqual([320, 240]);
    // The centre of the bars pattern at 320 px is the 4th/5th bar boundary: green or magenta, 75%.
    expect(Math.max(r, g, b)).toBeGreaterThan(150);

    const status = await ctl(['status', '--json', path]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)[0]).toMatchObject({ device: path, producer: true, format: expect.stringMatching(/^YUYV:320x240/) });

    await new Promise((r) => setTimeout(r, 3000));
    streaming.child.kill('SIGINT');
    const s = await streaming.result;
    expect(s.code, s.stderr).toBe(0);
    const result = JSON.parse(s.stdout);
    expect(result.frames).toBeGreaterThan(30);
    const after = JSON.parse((await ctlOk(['status', '--json', path])).stdout)[0];
    expect(after).toMatchObject({ producer: false, frames: result.frames });
    await ctlOk(['delete', path]);
  });

  it('set-timeout-image shows the image after the producer stops', async () => {
    const path = (await ctl(['add', '-n', 'Timeout cam'])).stdout.trim();
    await ctlOk(['set-caps', path, 'YUYV:160x120@15']);
    const img = join(tmpdir(), 'timeout.png');
    await writeFile(img, png(64, 48, [0, 0, 255]));
    const set = await ctl(['set-timeout-image', '-t', '500', path, img]);
    expect(set.code, set.stderr).toBe(0);
    await ctlOk(['stream', path, '--pattern', 'bars', '--size', '160x120', '--duration', '2']);
    const out = join(tmpdir(), 'timeout-snap.png');
    const snap = await ctl(['snapshot', path, out, '--timeout', '10000']);
    expect(snap.code, snap.stderr).toBe(0);
    const [w, h, r, g, b] = centre(await readFile(out));
    expect([w, h]).toEqual([160, 120]);
    // Pure blue through RGB -> YUYV (BT.601 limited range) -> RGB stays dominantly blue.
    expect(b).toBeGreaterThan(150);
    expect(b - Math.max(r, g)).toBeGreaterThan(120);
    await ctlOk(['set-caps', path, 'any']);
    await ctlOk(['delete', path]);
  });

  it('streams a still image and a video file', async () => {
    const path = (await ctlOk(['add', '-n', 'Media cam'])).stdout.trim();
    const img = join(tmpdir(), 'green.png');
    await writeFile(img, png(32, 24, [0, 200, 0]));
    // long enough for the snapshot's CLI to start on a loaded host
    const streaming = ctl(['stream', path, '--image', img, '--size', '160x120', '--fps', '10', '--duration', '20']);
    await waitForProducer(path);
    const out = join(tmpdir(), 'image-snap.png');
    await ctlOk(['snapshot', path, out, '--timeout', '20000']);
    const [, , r, g, b] = centre(await readFile(out));
    expect(g - Math.max(r, b)).toBeGreaterThan(120);
    expect((await streaming).code).toBe(0);

    const video = join(tmpdir(), 'clip.mkv');
    await runOk('ffmpeg', ['-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10:duration=2', '-c:v', 'ffv1', video], { timeoutMs: 60_000 });
    const v = await ctlOk(['stream', path, '--video', video, '--size', '160x120', '--fps', '10', '--json'], { timeoutMs: 60_000 });
    expect(JSON.parse(v.stdout)).toMatchObject({ source: `video ${video}`, frames: 20 });
    await ctlOk(['delete', path]);
  });

  it('doctor finds the loaded module and healthy devices', async () => {
    const path = (await ctlOk(['add', '-n', 'Doctor cam'])).stdout.trim();
    const r = await ctl(['doctor', '--json']);
    const { checks } = JSON.parse(r.stdout) as { checks: { id: string; status: string; detail: string }[] };
    const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
    expect(byId['addon']).toMatchObject({ status: 'ok', detail: 'the native addon loads' });
    expect(byId['module-loaded']?.status).toBe('ok');
    expect(byId['versions']?.status).toBe('ok');
    expect(byId['permissions']?.status).toBe('ok');
    expect(byId['devices']).toMatchObject({ status: 'ok', detail: expect.stringContaining(path) });
    await ctlOk(['delete', path]);
  });
});
