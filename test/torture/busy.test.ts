// busy.test.ts - torture scenario 5: the control device's REMOVE (raw ioctl
// and the CLI's delete) and `rmmod` are refused (EBUSY / "in use") while a
// producer and a consumer stream, and also while only one of them is left;
// after the last close both succeed and the nodes are gone. Then REMOVE and
// rmmod race with a process that opens and closes the nodes in a loop: they
// eventually succeed, the opener gets a clean error afterwards, and the
// kernel log stays clean. An ADD that fails because another driver holds
// the capture node number it asks for registers the output node for a
// moment: a racer that opens it and sets a control meanwhile must not leave
// timer work behind for the freed device (KASAN found that on the debug
// kernel).
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ctl } from '../guest/helpers/cli.js';
import { loadModule, moduleLoaded, run, runOk, unloadModule } from '../guest/helpers/kernel.js';
import { background, prog, sleep, startProducer, sysfs, waitForProducer, waitForReaders } from '../guest/helpers/kmod.js';
import { addDevice, ctlio, EBUSY, EEXIST, ENODEV, ENOENT, ENXIO } from './helpers/ctl.js';
import { moduleVmalloc } from './helpers/memory.js';
import { onDebugKernel, scaled } from './helpers/mode.js';

const rounds = scaled(3, 40);
// The openers' pause after each close, in microseconds: on the debug kernel
// an open and close take so long that without a longer pause the node is
// never closed when REMOVE or rmmod comes, and the race is never run.
const openerPauseUs = (normal: number) => String(onDebugKernel ? 20_000 : normal);

async function rmmod(): Promise<{ code: number | null; stderr: string }> {
  return run('rmmod', ['v4l2loopback'], { timeoutMs: 30_000 });
}

async function startConsumer(nr: number, read = false) {
  const args = ['-d', `/dev/video${nr}`, '-n', '1000000', '-t', '600'];
  if (read) args.push('-r');
  return background(await prog('v4l2l-consumer'), args, 700_000);
}

async function waitForNoReaders(nr: number): Promise<void> {
  for (const end = Date.now() + 20_000; Date.now() < end; await sleep(50)) {
    if (sysfs(nr, 'readers') === '0') return;
  }
  throw new Error(`/dev/video${nr}: consumers still streaming`);
}

/** frames producers sent keep rising: the device still works while refusing removal */
async function expectFramesRising(nr: number): Promise<void> {
  const f0 = Number(sysfs(nr, 'frames'));
  await sleep(1500);
  expect(Number(sysfs(nr, 'frames'))).toBeGreaterThan(f0);
}

describe('REMOVE and rmmod while busy', () => {
  afterAll(async () => {
    if (!moduleLoaded()) await loadModule();
  });

  it('split device: refused while a producer and a consumer stream, and while either is left', async () => {
    await loadModule({ devices: 0 });
    const { out, cap } = await addDevice(['capture_nr=-2', 'label=busy split']);
    const producer = await startProducer(out, { mmap: true, fps: 30 });
    const consumer = await startConsumer(cap);
    try {
      await waitForProducer(out);
      await waitForReaders(out, 1);
      for (const nr of [out, cap]) expect((await ctlio(['remove', String(nr)])).errno, `REMOVE ${nr}`).toBe(EBUSY);
      const rm = await rmmod();
      expect(rm.code).not.toBe(0);
      expect(rm.stderr).toMatch(/in use/i);
      expect(moduleLoaded()).toBe(true);
      // the CLI reports busy with its exit code 5
      const del = await ctl(['delete', `/dev/video${out}`]);
      expect(del.code, del.stderr).toBe(5);
      // refusing changed nothing: frames flow, the consumer still streams
      await expectFramesRising(out);
      expect(sysfs(out, 'readers')).toBe('1');

      // the consumer leaves: the producer still has the output open
      const c = await consumer.stop();
      expect(c.signal, c.stdout + c.stderr).toBe('SIGTERM');
      await waitForNoReaders(out);
      expect((await ctlio(['remove', String(cap)])).errno).toBe(EBUSY);
      expect((await rmmod()).code).not.toBe(0);
      await expectFramesRising(out);
    } finally {
      await consumer.stop();
      await producer.stop();
    }
    expect((await ctlio(['remove', String(cap)])).errno).toBe(0);
    expect(existsSync(`/dev/video${out}`)).toBe(false);
    expect(existsSync(`/dev/video${cap}`)).toBe(false);
    expect((await ctlio(['remove', String(out)])).errno).toBe(ENODEV);
    await unloadModule();
    expect(moduleLoaded()).toBe(false);
  });

  it('split device: a consumer alone (no producer ever) keeps it busy', async () => {
    await loadModule({ devices: 0 });
    const { out, cap } = await addDevice(['capture_nr=-2']);
    const consumer = await startConsumer(cap);
    try {
      await waitForReaders(out, 1);
      expect((await ctlio(['remove', String(out)])).errno).toBe(EBUSY);
      expect((await rmmod()).code).not.toBe(0);
    } finally {
      await consumer.stop();
    }
    expect((await ctlio(['remove', String(out)])).errno).toBe(0);
    await unloadModule();
    expect(moduleLoaded()).toBe(false);
  });

  it('combined node: refused while a write() producer and a read() consumer stream; rmmod then removes it', async () => {
    await loadModule({ devices: 1, exclusive_caps: 1 });
    const producer = await startProducer(0, { fps: 30 });
    let consumer: Awaited<ReturnType<typeof startConsumer>> | undefined;
    try {
      await waitForProducer(0);
      consumer = await startConsumer(0, true);
      await waitForReaders(0, 1);
      expect((await ctlio(['remove', '0'])).errno).toBe(EBUSY);
      const rm = await rmmod();
      expect(rm.code).not.toBe(0);
      expect(rm.stderr).toMatch(/in use/i);
      await expectFramesRising(0);
      await producer.stop();
      // the read() consumer alone still holds the node
      expect((await ctlio(['remove', '0'])).errno).toBe(EBUSY);
      expect((await rmmod()).code).not.toBe(0);
    } finally {
      await consumer?.stop();
      await producer.stop();
    }
    // rmmod with the device still there removes it
    const rm = await rmmod();
    expect(rm.code, rm.stderr).toBe(0);
    expect(moduleLoaded()).toBe(false);
    expect(existsSync('/dev/video0')).toBe(false);
  });

  it(`REMOVE racing with a process that opens and closes the nodes (${rounds} rounds)`, async () => {
    await loadModule({ devices: 0 });
    const ctlioBin = await prog('v4l2l-ctlio');
    for (let round = 0; round < rounds; round++) {
      const { out, cap } = await addDevice([round % 2 ? 'capture_nr=-2' : 'capture_nr=-1']);
      const openers = [out, cap].map((nr) => background(ctlioBin, ['open-loop', String(nr), '20000', openerPauseUs(0)], 60_000));
      await sleep(100 + ((round * 37) % 200));
      const errnos: number[] = [];
      for (;;) {
        const r = await ctlio(['remove', String(round % 3 ? out : cap)]);
        errnos.push(r.errno);
        if (r.errno !== EBUSY) break;
      }
      expect(errnos.at(-1), `REMOVE results ${errnos.join(',')}`).toBe(0);
      for (const o of openers) {
        const r = await o.done;
        expect(r.code, r.stderr).toBe(0);
        const rep = JSON.parse(r.stdout) as { opens: number; failures: number; lastErrno: number };
        // it opened before the REMOVE and got a clean error after it
        expect(rep.opens, r.stdout).toBeGreaterThan(0);
        expect(rep.failures, r.stdout).toBeGreaterThan(0);
        expect([ENOENT, ENODEV, ENXIO]).toContain(rep.lastErrno);
      }
      expect(existsSync(`/dev/video${out}`)).toBe(false);
    }
    await unloadModule();
    expect(moduleLoaded()).toBe(false);
  });

  it('a failed ADD (number held by another driver) while a racer opens its node and sets controls', async () => {
    // another driver's node: vivid on Debian's kernels, vim2m on the debug kernel
    await unloadModule();
    const foreignModule = (await run('modprobe', ['vivid', 'n_devs=1', 'node_types=0x1'])).code === 0 ? 'vivid' : 'vim2m';
    if (foreignModule === 'vim2m') await runOk('modprobe', ['vim2m']);
    try {
      const foreign = readdirSync('/sys/class/video4linux')
        .filter((n) => /^video\d+$/.test(n))
        .map((n) => Number(n.slice(5)));
      expect(foreign.length, `${foreignModule} made no video node`).toBeGreaterThan(0);
      await loadModule({ devices: 0 });
      // the output node gets the first free number, the capture node asks
      // for the foreign one: registered elsewhere for a moment, then EEXIST
      let transient = 0;
      while (foreign.includes(transient)) transient++;
      const racerMs = scaled(8_000, 120_000);
      const racer = background(await prog('v4l2l-ctlio'), ['ctrl-loop', String(transient), String(racerMs), '20000'], racerMs + 60_000);
      let attempts = 0;
      try {
        while (racer.child.exitCode === null) {
          expect((await ctlio(['add', `capture_nr=${foreign[0]}`])).errno).toBe(EEXIST);
          attempts++;
        }
      } finally {
        await racer.stop();
      }
      const r = await racer.done;
      const rep = JSON.parse(r.stdout) as { opens: number };
      // the racer did get the transient node open (and set the control)
      expect(rep.opens, `${attempts} ADDs: ${r.stdout}`).toBeGreaterThan(0);
      expect(existsSync(`/dev/video${transient}`)).toBe(false);
      // the devices that failed are gone for good: nothing of theirs is left
      expect((await moduleVmalloc()).lines).toEqual([]);
      await unloadModule();
      expect(moduleLoaded()).toBe(false);
    } finally {
      await run('rmmod', [foreignModule]);
    }
  });

  it(`rmmod racing with processes that open and close the nodes (${rounds} rounds)`, async () => {
    const ctlioBin = await prog('v4l2l-ctlio');
    for (let round = 0; round < rounds; round++) {
      await loadModule({ devices: 3, capture_nr: '-1,-2,-1' });
      // short pauses between opens: four openers on two CPUs would otherwise
      // hold the module almost all the time and rmmod would only get
      // through once they stop
      const openers = [0, 1, 2, 3].map((nr) => background(ctlioBin, ['open-loop', String(nr), '20000', openerPauseUs(500)], 60_000));
      await sleep(200 + ((round * 53) % 300));
      let refused = 0;
      for (;;) {
        const r = await rmmod();
        if (r.code === 0) break;
        // rmmod checks the use count, then calls delete_module(); an open()
        // in between makes the kernel answer EWOULDBLOCK ("Resource
        // temporarily unavailable"): refused just the same.
        expect(r.stderr).toMatch(/in use|Resource temporarily unavailable/i);
        refused++;
        expect(refused, 'rmmod never got through').toBeLessThan(1000);
      }
      expect(moduleLoaded()).toBe(false);
      for (const o of openers) {
        const r = await o.done;
        expect(r.code, r.stderr).toBe(0);
        const rep = JSON.parse(r.stdout) as { opens: number; failures: number; lastErrno: number };
        expect(rep.failures, r.stdout).toBeGreaterThan(0);
        expect([ENOENT, ENODEV, ENXIO]).toContain(rep.lastErrno);
      }
    }
  });
});
