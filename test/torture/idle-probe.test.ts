// idle-probe.test.ts - torture: seeded random consumer ioctl sequences on an
// idle split capture node (formats, rates, buffers of every memory type,
// mmap, QBUF/DQBUF, streaming, EXPBUF, controls and buttons, events, poll,
// read), each round ending with close; afterwards a producer must stream
// without blocking and a new consumer must get its frames whole. The seed is
// TORTURE_SEED (printed on failure), so a failing run reproduces.
// keep_format is left out of the random controls on purpose: pinning the
// format for later producers is its documented job (docs/kmod.md).
import { afterAll, describe, expect, it } from 'vitest';
import { loadModule, run } from '../guest/helpers/kernel.js';
import { consume, prog, readJson, startProducer, waitForProducer } from '../guest/helpers/kmod.js';
import { addDevice } from './helpers/ctl.js';
import { scaled, tortureSeed } from './helpers/mode.js';

interface ProducerReport {
  frames: number;
  maxBlockMs: number;
}

async function timeoutControl(nr: number): Promise<number> {
  const r = await run('v4l2-ctl', ['-d', `/dev/video${nr}`, '--get-ctrl', 'timeout']);
  return Number(/timeout: (\d+)/.exec(r.stdout)?.[1] ?? 0);
}

describe('random consumer sequences on an idle capture node', () => {
  afterAll(async () => {
    await loadModule();
  });

  it('leave the device working for the next producer and consumer', async () => {
    await loadModule({ devices: 0 });
    const rounds = scaled(40, 400);
    for (let i = 0; i < scaled(3, 12); i++) {
      const seed = tortureSeed + i;
      const what = `seed ${seed}, ${rounds} rounds`;
      const { out, cap } = await addDevice(['capture_nr=-2']);
      const p = await run(await prog('v4l2l-probe'), ['random', `/dev/video${cap}`, String(seed), String(rounds)], {
        timeoutMs: 300_000,
      });
      expect(p.code, `${what}: ${p.stdout}${p.stderr}`).toBe(0);
      const producer = await startProducer(out, { size: '320x240', fps: 30, frames: 120, mmap: i % 2 === 1 });
      try {
        await waitForProducer(out);
        const c = await consume(cap, { frames: 15, timeoutS: 30 });
        expect(c.error, `${what}: ${JSON.stringify(c)}`).toBeUndefined();
        expect(c, what).toMatchObject({ frames: 15, torn: 0, bytesMismatch: 0 });
        // timeout frames are unstamped; without a timeout every frame is the producer's
        if ((await timeoutControl(out)) === 0) expect(c.unstamped, what).toBe(0);
        expect(c.lastStamp - c.firstStamp, what).toBeGreaterThanOrEqual(5);
      } catch (err) {
        await producer.stop();
        throw err;
      }
      const r = readJson<ProducerReport>((await producer.done).stdout);
      expect(r.frames, what).toBe(120);
      expect(r.maxBlockMs, what).toBeLessThan(34 + 500);
      await run(await prog('v4l2l-ctlio'), ['remove', String(out)]);
    }
  });
});
