// bench/node-producer.ts - the Node side of the producer comparison: a
// VirtualCamera (dist/, the compiled library) sending unpaced YUYV frames
// for a few seconds, and this process's own CPU time per frame. Modes:
//   zero-copy  acquire() a device buffer, fill it in place, publish()
//   send       send() a frame already in the device format (one copy)
//   rgb        send() an RGB frame, converted into the device buffer
// usage: node node-producer.js /dev/videoN WIDTH HEIGHT MODE SECONDS
// Prints one JSON line (a ProducerMeasure).
import { join, resolve } from 'node:path';
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

const [dev, ws, hs, mode, secs] = process.argv.slice(2);
const width = Number(ws);
const height = Number(hs);
const seconds = Number(secs);
if (!dev || !(width > 0) || !(height > 0) || !(seconds > 0) || !['zero-copy', 'send', 'rgb'].includes(mode ?? '')) {
  process.stderr.write('usage: node-producer.js /dev/videoN WIDTH HEIGHT zero-copy|send|rgb SECONDS\n');
  process.exit(2);
}

const top = resolve(import.meta.dirname, '../../../..');
const lib = (await import(pathToFileURL(join(top, 'dist/src/index.js')).href)) as Library;
const rgb = mode === 'rgb';
const cam = await lib.VirtualCamera.open({ device: dev, width, height, fps: 60, format: rgb ? 'rgb' : 'yuyv', nativeFormat: 'yuyv', io: 'mmap', buffers: 4 });
const frame = Buffer.alloc(width * height * (rgb ? 3 : 2));
for (let i = 0; i < frame.length; i++) frame[i] = (i * 13 + (i >> 12)) & 0xff;
const stamp = Buffer.alloc(16);

let frames = 0;
async function one(t: bigint): Promise<void> {
  stamp.writeUInt32LE(frames, 4);
  stamp.writeBigUInt64LE(t, 8);
  if (mode === 'zero-copy') {
    const b = await cam.acquire();
    b.data.set(frame);
    b.data.set(stamp);
    await cam.publish(b);
  } else {
    stamp.copy(frame);
    await cam.send(frame);
  }
}
// Warm up (JIT, first faults of the mapped buffers) for a quarter of the time, as the C producer does.
const w0 = process.hrtime.bigint();
for (let t = w0; t < w0 + BigInt(Math.round(seconds * 0.25e9)); t = process.hrtime.bigint()) await one(t);
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const end = t0 + BigInt(Math.round(seconds * 1e9));
let t = t0;
while (t < end) {
  await one(t);
  frames++;
  t = process.hrtime.bigint();
}
const cpu = process.cpuUsage(c0);
await cam.close();
process.stdout.write(`${JSON.stringify({ frames, seconds: Number(t - t0) / 1e9, cpuUsPerFrame: (cpu.user + cpu.system) / frames })}\n`);
