/**
 * A duty-cycled load on N cores (worker threads, load-worker.ts); setDuty takes effect within
 * one 100 ms period. Each worker counts the CPU time it spent computing (its own thread's, from
 * /proc/thread-self/schedstat; wall time where that is missing), so the load can say what it
 * achieved itself — on a busy machine the machine-wide utilization says nothing about it.
 */
import { Worker } from 'node:worker_threads';

const STOP = 0;
export const CONTROL_PERIOD_MS = 100;
/** Float64 slots per worker in the shared stats (see `stats`). */
export const STATS = 3;

/** What the load got since the previous look, as shares of its wall time (0–1). The rest, 1 − onCpu − asleep, is time it wanted a CPU and other work had it. */
export interface LoadShare {
  onCpu: number;
  asleep: number;
}

export class CpuLoad {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(4));
  private readonly duty: Float64Array;
  /** Per worker: ms on a CPU computing, ms elapsed, ms asleep by choice, since it started. */
  private readonly stats: Float64Array;
  private readonly workers: Worker[] = [];
  private last = { busy: 0, total: 0, asleep: 0 };

  constructor(readonly threads: number) {
    this.duty = new Float64Array(new SharedArrayBuffer(8 * Math.max(1, threads)));
    this.stats = new Float64Array(new SharedArrayBuffer(8 * STATS * Math.max(1, threads)));
    for (let i = 0; i < threads; i++) {
      const w = new Worker(new URL('./load-worker.js', import.meta.url), { workerData: { ctrl: this.ctrl, duty: this.duty, stats: this.stats, index: i, periodMs: CONTROL_PERIOD_MS } });
      w.unref();
      this.workers.push(w);
    }
  }

  /** Fraction of each core to keep busy, 0–1. */
  setDuty(d: number): void {
    this.duty.fill(Math.min(1, Math.max(0, d)));
  }

  /** The workers' shares since the previous call, or null before any period ran. */
  achieved(): LoadShare | null {
    let busy = 0, total = 0, asleep = 0;
    for (let i = 0; i < this.threads; i++) {
      busy += this.stats[STATS * i]!;
      total += this.stats[STATS * i + 1]!;
      asleep += this.stats[STATS * i + 2]!;
    }
    const d = { busy: busy - this.last.busy, total: total - this.last.total, asleep: asleep - this.last.asleep };
    this.last = { busy, total, asleep };
    return d.total > 0 ? { onCpu: d.busy / d.total, asleep: d.asleep / d.total } : null;
  }

  /** Stops every worker at once (a sleeping one wakes; a busy one is terminated mid-chunk). */
  async stop(): Promise<void> {
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.notify(this.ctrl, STOP);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
