// setup.ts - runs before every guest test file: refuses to run outside the
// sandbox, and fails any test during which the kernel logged a splat or
// after which video buffers outlived every module that could free them.
import { afterEach, beforeEach, expect } from 'vitest';
import { inGuest, kernelLogSince, markKernelLog, orphanedVideoBuffers, splatPattern } from './kernel.js';

if (!inGuest) {
  throw new Error('guest tests run inside the QEMU sandbox: use `make test` or `sandbox/run -- npm run test:guest`');
}

let marker = '';

beforeEach(async (ctx) => {
  marker = await markKernelLog(ctx.task.name.replace(/\s+/g, '_').slice(0, 60));
});

afterEach(async () => {
  const log = await kernelLogSince(marker);
  const bad = log.split('\n').filter((l) => splatPattern.test(l));
  expect(bad, `kernel log splat during this test:\n${log}`).toEqual([]);
  expect(await orphanedVideoBuffers(), 'vb2 buffers left with no videobuf2-vmalloc user loaded').toEqual([]);
});
