// bench/node-producer.ts - the Node side of the producer comparison: a
// VirtualCamera (dist/, the compiled library) sending unpaced YUYV frames,
// and this process's own CPU time per frame. Modes:
//   zero-copy  acquire() a device buffer, fill it in place, publish()
//   send       send() a frame already in the device format (one copy)
//   rgb        send() an RGB frame, converted into the device buffer
// usage: node node-producer.js /dev/videoN WIDTH HEIGHT MODE
// The process stays up so that its JIT is warm for every measured window
// and the windows can alternate with the C producer's: it prints
// {"ready":true} once the camera is open, then answers every stdin line
// "run SECONDS" with one JSON line (a ProducerMeasure) after producing for
// that long; end of input closes the camera and exits.
// V4L2L_BENCH_LIBRARY=.../dist/src/index.js measures another build of the
// library (e.g. an older commit's) instead of this tree's dist/.
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

interface OutputBufferLike {
  data: Uint8Array;
}
interface CameraLike {
  acquire(): Promise<OutputBufferLike>;
  publish(b?: OutputBufferLike): Promise<void>;
  send(frame: Uint8Array): Promise<void>;
  close(): Promise<void>;
}
interface Library {
  VirtualCamera: {
    open(o: { device: string; width: number; height: number; fps: number; format: string; nativeFormat: string; io: 'mmap'; buffers: number }): Promise<CameraLike>;
  };
}

const [dev, ws, hs, mode] = process.argv.slice(2);
const width = Number(ws);
const height = Number(hs);
if (!dev || !(width > 0) || !(height > 0) || !['zero-copy', 'send', 'rgb'].includes(mode ?? '')) {
  process.stderr.write('usage: node-producer.js /dev/videoN WIDTH HEIGHT zero-copy|send|rgb (then "run SECONDS" lines on stdin)\n');
  process.exit(2);
}

const top = resolve(import.meta.dirname, '../../../..');
const lib = (await import(pathToFileURL(process.env.V4L2L_BENCH_LIBRARY ?? join(top, 'dist/src/index.js')).href)) as Library;
const rgb = mode === 'rgb';
const cam = await lib.VirtualCamera.open({ device: dev, width, height, fps: 60, format: rgb ? 'rgb' : 'yuyv', nativeFormat: 'yuyv', io: 'mmap', buffers: 4 });
// The C producer's pattern (fill_pattern() in v4l2l-bench.c).
const frame = Buffer.alloc(width * height * (rgb ? 3 : 2));
for (let i = 0; i < frame.length; i++) frame[i] = (i * 13 + (i >> 12)) & 0xff;
// The C producer's 16-byte stamp (magic, counter, CLOCK_MONOTONIC ns), written
// in place through a DataView per destination (the device hands back the
// same few buffers, so the views are made once).
const MAGIC = 0x48434e42;
const stamps = new WeakMap<Uint8Array, DataView>();
function stampInto(dst: Uint8Array, counter: number, t: bigint): void {
  let v = stamps.get(dst);
  if (!v) stamps.set(dst, (v = new DataView(dst.buffer, dst.byteOffset, 16)));
  v.setUint32(0, MAGIC, true);
  v.setUint32(4, counter, true);
  v.setBigUint64(8, t, true);
}

let counter = 0;
async function one(t: bigint): Promise<void> {
  counter = (counter + 1) >>> 0;
  if (mode === 'zero-copy') {
    const b = await cam.acquire();
    b.data.set(frame);
    stampInto(b.data, counter, t);
    await cam.publish(b);
  } else {
    stampInto(frame, counter, t);
    await cam.send(frame);
  }
}

async function run(seconds: number): Promise<string> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(Math.round(seconds * 1e9));
  let frames = 0;
  let t = t0;
  while (t < end) {
    await one(t);
    frames++;
    t = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(c0);
  return JSON.stringify({ frames, seconds: Number(t - t0) / 1e9, cpuUsPerFrame: (cpu.user + cpu.system) / frames });
}

process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const m = /^run (\d+(?:\.\d+)?)$/.exec(line.trim());
  if (!m) {
    process.stdout.write(`${JSON.stringify({ frames: 0, seconds: 0, cpuUsPerFrame: null, error: `bad command '${line}'` })}\n`);
    continue;
  }
  process.stdout.write(`${await run(Number(m[1]))}\n`);
}
await cam.close();
