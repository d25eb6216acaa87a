// chromium.ts - plays a V4L2 camera in headless Chromium (Debian's, driven
// by playwright-core): lists the cameras getUserMedia sees, opens the one
// with the given label, and reports frame rate, size and pixels drawn.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

export interface CameraPlayback {
  /** Labels of every video input Chromium listed. */
  cameras: string[];
  width: number;
  height: number;
  /** Frames the page saw per second over the measuring window. */
  fps: number;
  frames: number;
  /** RGBA of the sampled points, as drawn on a canvas. */
  samples: { x: number; y: number; rgba: [number, number, number, number] }[];
}

export interface PlayOptions {
  label: string;
  seconds: number;
  /** Points (fractions of width/height) to sample from the last frame. */
  points?: readonly [number, number][];
  width?: number;
  height?: number;
}

const PAGE = `<!doctype html><meta charset=utf-8><title>camera</title><video autoplay muted playsinline></video><canvas></canvas><script src=/camera-page.js></script>`;
const PAGE_SCRIPT = readFileSync(join(import.meta.dirname, '..', '..', 'demo', 'camera-page.js'), 'utf8');

/** What camera-page.js defines in the page. */
interface PageApi {
  measureCamera(args: unknown): Promise<unknown>;
}

function serve(): Promise<Server> {
  const server = createServer((req, res) => {
    const script = req.url === '/camera-page.js';
    res.writeHead(200, { 'content-type': script ? 'text/javascript' : 'text/html' });
    res.end(script ? PAGE_SCRIPT : PAGE);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A headless Chromium that plays cameras, one after the other in one page. */
export interface CameraBrowser {
  play(o: PlayOptions): Promise<CameraPlayback>;
  close(): Promise<void>;
}

/** Launches Chromium once (slow under TCG) for several play() calls. */
export async function openCameraBrowser(): Promise<CameraBrowser> {
  const server = await serve();
  const browser = await chromium
    .launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--use-fake-ui-for-media-stream',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      timeout: 120_000,
    })
    .catch((e: unknown) => {
      server.close();
      throw e;
    });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  // One page for every camera: a new page starts a renderer again, and
  // getUserMedia its capture service, each slow under emulation.
  let page: Page | undefined;
  const openPage = async (): Promise<Page> => {
    const context = await browser.newContext();
    await context.grantPermissions(['camera'], { origin });
    const p = await context.newPage();
    p.setDefaultTimeout(120_000);
    await p.goto(`${origin}/`);
    return p;
  };
  return {
    async play(o) {
      page ??= await openPage();
      const run = { label: o.label, seconds: o.seconds, points: o.points ?? [[0.5, 0.5]], width: o.width, height: o.height };
      return (await page.evaluate((args) => (globalThis as unknown as PageApi).measureCamera(args), run)) as CameraPlayback;
    },
    async close() {
      await browser.close();
      server.close();
    },
  };
}

/** Launches Chromium, plays one camera, closes it. */
export async function playCamera(o: PlayOptions): Promise<CameraPlayback> {
  const browser = await openCameraBrowser();
  try {
    return await browser.play(o);
  } finally {
    await browser.close();
  }
}
