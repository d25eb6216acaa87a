// integrity.test.ts - whole frames only: a stamping producer writes the frame
// number into every page; consumers check that no frame they hold is ever
// overwritten, that slow consumers drop frames instead of stalling anyone,
// and that several consumers, on one capture node or on several, each get
// every frame they keep up with.
import { afterAll, describe, expect, it } from 'vitest';
import { loadModule } from '../helpers/kernel.js';
import { consume, staggered, startProducer, sysfs, waitForProducer } from '../helpers/kmod.js';

describe('frame integrity', () => {
  afterAll(async () => {
    await loadModule();
  });

  it('a consumer holding each frame 30 ms at 60 fps sees no torn frame', async () => {
    await loadModule({ capture_nr: -2 });
    const producer = await startProducer(0, { size: '640x480', fps: 60, mmap: true });
    try {
      await waitForProducer(0);
      const r = await consume(1, { frames: 60, holdMs: 30, timeoutS: 60 });
      expect(r.error, JSON.stringify(r)).toBeUndefined();
      expect(r.frames).toBe(60);
      expect(r.torn).toBe(0);
      expect(r.unstamped).toBe(0);
      expect(r.seqBackwards).toBe(0);
      expect(r.tsBackwards).toBe(0);
      expect(r.bytesMismatch).toBe(0);
      // it cannot keep up with 60 fps: it dropped frames (gaps), nobody waited
      expect(r.seqGaps).toBeGreaterThan(0);
    } finally {
      const p = await producer.stop();
      expect(p.stdout, p.stderr).not.toMatch(/error/);
    }
  });

  it('read() consumer gets whole stamped frames from a write() producer', async () => {
    await loadModule({ capture_nr: -2 });
    const producer = await startProducer(0, { size: '320x240', fps: 30 });
    try {
      await waitForProducer(0);
      const r = await consume(1, { frames: 30, read: true });
      expect(r.error, JSON.stringify(r)).toBeUndefined();
      expect(r).toMatchObject({ frames: 30, torn: 0, unstamped: 0, bytesMismatch: 0 });
    } finally {
      await producer.stop();
    }
  });

  it('four mmap consumers on ONE capture node at 1280x720, 60 fps each get >= 95% of frames', async () => {
    await loadModule({ capture_nr: -2 });
    const producer = await startProducer(0, { size: '1280x720', fps: 60, mmap: true });
    try {
      await waitForProducer(0);
      // started a little apart: each one streams before the next allocates
      // (a holder that does not stream yet owns the node, the V4L2 rule)
      const reports = await staggered(0, [1, 1, 1, 1].map((nr) => () => consume(nr, { frames: 300, buffers: 8, timeoutS: 60 })));
      for (const r of reports) {
        expect(r.error, JSON.stringify(r)).toBeUndefined();
        expect(r).toMatchObject({ frames: 300, torn: 0, unstamped: 0, seqBackwards: 0, tsBackwards: 0 });
        // sequence gaps are the frames this consumer dropped
        expect(r.frames / (r.frames + r.seqGaps), JSON.stringify(r)).toBeGreaterThanOrEqual(0.95);
      }
      expect(sysfs(0, 'readers')).toBe('0');
    } finally {
      await producer.stop();
    }
  });

  it('extra capture nodes: consumers on two capture nodes, two of them on one node', async () => {
    await loadModule({ capture_nodes: 2 });
    const producer = await startProducer(0, { size: '320x240', fps: 30 });
    try {
      await waitForProducer(0);
      const reports = await staggered(0, [1, 2, 1].map((nr) => () => consume(nr, { frames: 60, timeoutS: 40 })));
      expect(reports).toHaveLength(3);
      for (const r of reports) {
        expect(r.error, JSON.stringify(r)).toBeUndefined();
        expect(r).toMatchObject({ frames: 60, torn: 0, unstamped: 0, seqBackwards: 0, bytesMismatch: 0 });
      }
    } finally {
      await producer.stop();
    }
  });
});
