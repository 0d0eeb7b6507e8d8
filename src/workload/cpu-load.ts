/** A duty-cycled load on N cores (worker threads, load-worker.ts); setDuty takes effect within one 100 ms period. */
import { Worker } from 'node:worker_threads';

const STOP = 0;
export const CONTROL_PERIOD_MS = 100;

export class CpuLoad {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(4));
  private readonly duty: Float64Array;
  private readonly workers: Worker[] = [];

  constructor(readonly threads: number) {
    this.duty = new Float64Array(new SharedArrayBuffer(8 * Math.max(1, threads)));
    for (let i = 0; i < threads; i++) {
      const w = new Worker(new URL('./load-worker.js', import.meta.url), { workerData: { ctrl: this.ctrl, duty: this.duty, index: i, periodMs: CONTROL_PERIOD_MS } });
      w.unref();
      this.workers.push(w);
    }
  }

  /** Fraction of each core to keep busy, 0–1. */
  setDuty(d: number): void {
    this.duty.fill(Math.min(1, Math.max(0, d)));
  }

  /** Stops every worker at once (a sleeping one wakes; a busy one is terminated mid-chunk). */
  async stop(): Promise<void> {
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.notify(this.ctrl, STOP);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
