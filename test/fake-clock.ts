/**
 * A clock for tests: time moves only when the test says so, timers fire in order, and the
 * promise chains a timer starts get to settle before the next one fires. Ticker and sampler
 * tests run on it instead of sleeping.
 */
import type { Clock, Timer } from '../src/sampler/clock.js';

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** Lets microtasks and already-finished I/O callbacks run (a few turns of the event loop). */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

export class FakeClock implements Clock {
  private now = 0;
  private seq = 0;
  private timers: Pending[] = [];

  /**
   * @param wall0Ms the wall clock at monotonic 0
   * @param latencyMs extra delay of each timer, ms (timer latency on a busy machine)
   */
  constructor(
    private readonly wall0Ms = 1_700_000_000_000,
    private readonly latencyMs: () => number = () => 0,
  ) {}

  monotonicMs(): number {
    return this.now;
  }

  wallMs(): number {
    return this.wall0Ms + this.now;
  }

  setTimer(fn: () => void, ms: number): Timer {
    const p: Pending = { at: this.now + Math.max(0, ms) + this.latencyMs(), seq: this.seq++, fn, cancelled: false };
    this.timers.push(p);
    return { cancel: () => void (p.cancelled = true) };
  }

  /** Timers not yet fired nor cancelled. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  private next(until: number): Pending | undefined {
    this.timers = this.timers.filter((t) => !t.cancelled);
    let best: Pending | undefined;
    for (const t of this.timers) if (t.at <= until && (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq))) best = t;
    return best;
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (let t = this.next(end); t; t = this.next(end)) {
      this.now = Math.max(this.now, t.at);
      t.cancelled = true;
      t.fn();
      await settle();
    }
    this.now = end;
    await settle();
  }

  /** Advances in `stepMs` steps until `done()` or `maxMs` have passed; returns whether done. */
  async runUntil(done: () => boolean, maxMs: number, stepMs = 1): Promise<boolean> {
    for (let t = 0; t < maxMs && !done(); t += stepMs) await this.advance(stepMs);
    return done();
  }
}
