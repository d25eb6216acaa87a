// recipes.test.ts - runs the recipes of docs/api.md (frames from sharp, from
// a canvas-like Uint8ClampedArray, from an ffmpeg child process) as the
// programs they are, against the built package (dist/), and checks the
// pixels a consumer of the device gets.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapturedFrame } from '../../../src/index.js';
import { run, runOk, start } from '../helpers/kernel.js';
import { sysfs } from '../helpers/kmod.js';
import { until, useTestScope } from './scope.js';

const root = join(import.meta.dirname, '..', '..', '..');
const api = readFileSync(join(root, 'docs', 'api.md'), 'utf8');
const recipes = new Map([...api.matchAll(/<!-- recipe: (\w+) -->\n\n```js\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!]));
const scope = useTestScope();
let dir = '';

beforeAll(() => {
  // A project that has the package (and sharp) installed, as a user's would.
  dir = mkdtempSync(join(tmpdir(), 'v4l2l-recipes-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'v4l2loopback'));
  symlinkSync(join(root, 'node_modules', 'sharp'), join(dir, 'node_modules', 'sharp'));
  for (const [name, code] of recipes) writeFileSync(join(dir, `${name}.mjs`), code);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function pixel(f: CapturedFrame, x: number, y: number): number[] {
  const i = (y * f.width + x) * 3;
  return [...f.data.subarray(i, i + 3)];
}

const near = (got: number[], want: number[], tol: number): boolean => got.every((v, i) => Math.abs(v - want[i]!) <= tol);

/**
 * Runs a recipe on a new device; reads RGB frames from the device once the
 * recipe streams, until `check` accepts one; then stops the recipe (SIGTERM),
 * or with `endSource` stops its source (the ffmpeg child) and expects the
 * recipe to finish by itself and exit 0.
 */
async function runRecipe(name: string, args: (device: string) => string[], check: (f: CapturedFrame) => boolean, endSource?: string): Promise<CapturedFrame> {
  expect(recipes.has(name), `docs/api.md has the '${name}' recipe`).toBe(true);
  const d = await scope().device({ label: `Recipe ${name}` });
  const p = start(process.execPath, [join(dir, `${name}.mjs`), ...args(d.path)], { cwd: dir, timeoutMs: 240_000 });
  let exited = false;
  void p.result.then(() => (exited = true));
  try {
    await until(120_000, `the ${name} recipe to stream`, () => exited || sysfs(d.nr, 'state') === 'capture');
    if (exited) {
      const r = await p.result;
      throw new Error(`the ${name} recipe ended early (${r.code ?? r.signal}):\n${r.stderr}`);
    }
    const cap = await scope().capture({ device: d.nr, format: 'rgb', readTimeout: 20_000 });
    let last: CapturedFrame | undefined;
    for (let i = 0; i < 30; i++) {
      last = await cap.read();
      if (check(last)) return last;
    }
    throw new Error(`no frame from the ${name} recipe passed the check; last centre pixel ${last && pixel(last, last.width >> 1, last.height >> 1)}`);
  } finally {
    if (!exited && endSource) await run('pkill', ['-TERM', '-P', String(p.child.pid), endSource]);
    else if (!exited) p.child.kill('SIGTERM');
    const r = await p.result;
    expect(r.stderr, `the ${name} recipe wrote to stderr`).toBe('');
    if (endSource) expect(r.code).toBe(0);
  }
}

// Each starts a Node.js program (and sharp or ffmpeg): slow under TCG on a loaded host.
describe('docs/api.md recipes', { timeout: 300_000 }, () => {
  it('sharp: an image file, resized, as RGB frames', async () => {
    const png = new PNG({ width: 64, height: 48 });
    for (let i = 0; i < 64 * 48; i++) png.data.set([200, 40, 40, 255], i * 4);
    const image = join(dir, 'photo.png');
    writeFileSync(image, PNG.sync.write(png));
    const f = await runRecipe('sharp', (dev) => [dev, image], (f) => near(pixel(f, f.width >> 1, f.height >> 1), [200, 40, 40], 4));
    expect(f).toMatchObject({ width: 640, height: 480 });
  });

  it('canvas: ImageData-style Uint8ClampedArray RGBA frames', async () => {
    const f = await runRecipe('canvas', (dev) => [dev], (f) => near(pixel(f, 8, 8), [255, 255, 255], 4) && near(pixel(f, 400, 300), [0, 160, 60], 4));
    expect(f).toMatchObject({ width: 640, height: 480 });
  });

  it('ffmpeg: a video file decoded by an ffmpeg child process, piped with backpressure', async () => {
    const clip = join(dir, 'clip.mkv');
    await runOk('ffmpeg', ['-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=0x2040c0:s=160x120:r=30:d=30', '-c:v', 'ffv1', clip], { timeoutMs: 60_000 });
    const f = await runRecipe('ffmpeg', (dev) => [dev, clip], (f) => near(pixel(f, f.width >> 1, f.height >> 1), [0x20, 0x40, 0xc0], 6), 'ffmpeg');
    expect(f).toMatchObject({ width: 640, height: 360 });
  });
});
