// run-scope.ts - how much of each client matrix a guest run covers.
// `make test` runs the whole guest suite on the newest kernel and the
// kernel-facing files on the others with V4L2L_KERNEL_SET=1 (scripts/test.sh,
// docs/sandbox.md): there one version of each distribution tool (Debian
// 13's v4l2loopback-ctl, one of its set-timeout-image cases, the newest
// v4l2-compliance) and no browser, which
// exercise the same kernel paths again at the cost of minutes per kernel.
// A test file run by hand runs everything.

/** A kernel-facing run on a kernel other than the newest. */
export const kernelSetRun = process.env.V4L2L_KERNEL_SET === '1';

/** Headless Chromium (the slowest client tests): the full run only. */
export const browserTests = !kernelSetRun;
