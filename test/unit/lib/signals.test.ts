// signals.test.ts - the opt-in SIGINT/SIGTERM cleanup: listeners exist only
// while jobs are registered, a signal runs every job once with whether the
// process will end by it, and an application's own listener keeps control.
import { afterEach, describe, expect, it } from 'vitest';
import { onTerminationSignal } from '../../../src/signals.js';

const count = () => [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];

describe('onTerminationSignal', () => {
  const own: (() => void)[] = [];
  afterEach(() => {
    for (const off of own.splice(0)) off();
  });

  it('listens only while a job is registered', () => {
    const [i0, t0] = count();
    const offA = onTerminationSignal(async () => undefined);
    const offB = onTerminationSignal(async () => undefined);
    expect(count()).toEqual([i0! + 1, t0! + 1]);
    offA();
    expect(count()).toEqual([i0! + 1, t0! + 1]);
    offB();
    expect(count()).toEqual([i0, t0]);
  });

  it('runs each job once on a signal; with the application listening too it does not end the process', async () => {
    const appListener = (): void => undefined;
    process.on('SIGTERM', appListener);
    own.push(() => process.off('SIGTERM', appListener));
    const calls: boolean[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    onTerminationSignal(async (terminating) => {
      calls.push(terminating);
      done();
    });
    process.kill(process.pid, 'SIGTERM');
    await finished;
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toEqual([false]);
    // the jobs ran, so the listeners are gone: only the application's is left
    expect(process.listeners('SIGTERM')).toEqual([appListener]);
  });
});
