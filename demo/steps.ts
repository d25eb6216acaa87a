// steps.ts - the demo's narrated steps: each has a name, runs, and either
// reports what happened or fails the whole demo loudly.
export interface StepLog {
  name: string;
  ok: boolean;
  seconds: number;
  detail: string;
}

export class Steps {
  readonly log: StepLog[] = [];

  async run<T>(name: string, fn: () => Promise<T>, describe: (r: T) => string): Promise<T> {
    process.stdout.write(`demo: ${name} ...\n`);
    const t0 = performance.now();
    try {
      const r = await fn();
      const detail = describe(r);
      this.log.push({ name, ok: true, seconds: (performance.now() - t0) / 1000, detail });
      process.stdout.write(`demo:   ok: ${detail}\n`);
      return r;
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      this.log.push({ name, ok: false, seconds: (performance.now() - t0) / 1000, detail });
      process.stdout.write(`demo:   FAILED: ${detail}\n`);
      throw err;
    }
  }
}
