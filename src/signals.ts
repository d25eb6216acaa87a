// signals.ts - opt-in cleanup on SIGINT/SIGTERM: jobs registered here (a
// VirtualCamera removing the device it created) run when one of the signals
// arrives; then, if nothing else listens for it, the signal is raised again
// so the process ends the way it would have without us.
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type CleanupSignal = (typeof SIGNALS)[number];

/** A cleanup job; `terminating` is true when the process will end by the signal afterwards. */
export type SignalJob = (terminating: boolean) => Promise<unknown>;

const jobs = new Set<SignalJob>();
let running = false;

function onSignal(signal: CleanupSignal): void {
  if (running) return;
  running = true;
  const pending = [...jobs];
  jobs.clear();
  // Only our listener: the signal will end the process once cleanup is done.
  const terminating = process.listenerCount(signal) === 1;
  uninstall();
  void Promise.allSettled(pending.map((job) => job(terminating))).then(() => {
    running = false;
    // Another listener (the application's own) decides what happens next.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

const listeners = new Map<CleanupSignal, () => void>(SIGNALS.map((s) => [s, () => onSignal(s)]));

function install(): void {
  for (const [s, l] of listeners) if (!process.listeners(s).includes(l)) process.on(s, l);
}

function uninstall(): void {
  for (const [s, l] of listeners) process.off(s, l);
}

/**
 * Runs `job` on SIGINT or SIGTERM (once). Returns the function that
 * unregisters it; the signal listeners go away with the last job, so an
 * idle process exits normally.
 */
export function onTerminationSignal(job: SignalJob): () => void {
  jobs.add(job);
  install();
  return () => {
    jobs.delete(job);
    if (jobs.size === 0 && !running) uninstall();
  };
}
