// vitest.config.ts - test projects: `unit` runs on the host (pure logic, no
// kernel module); `host` exercises install paths on the host (DKMS, signing,
// install targets, the npm package on several Node versions and arm64 under
// qemu-user; needs root and kernel headers); `guest` runs inside the
// QEMU sandbox against the real module (started by `make test` via sandbox/run);
// `torture` is the stress and fault suite, also in the guest (`make torture`,
// and its short form inside `make test`).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The guest sees the project read-only: keep vite's cache in tmpfs.
  cacheDir: join(tmpdir(), 'v4l2loopback-vite-cache'),
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'host',
          include: ['test/host/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 600_000,
        },
      },
      {
        test: {
          name: 'guest',
          // One process for all files: under TCG a fresh worker per file
          // costs seconds (the files share no state they do not reset).
          isolate: false,
          include: ['test/guest/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
          setupFiles: ['test/guest/helpers/setup.ts'],
        },
      },
      {
        test: {
          name: 'torture',
          // One process for all files: under TCG a fresh worker per file
          // costs seconds (the files share no state they do not reset).
          isolate: false,
          include: ['test/torture/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 900_000,
          hookTimeout: 180_000,
          setupFiles: ['test/guest/helpers/setup.ts'],
        },
      },
    ],
  },
});
