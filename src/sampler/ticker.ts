/**
 * A drift-free ticker: tick k is scheduled at t0 + k·period on the monotonic clock, so timer
 * latency never accumulates. A tick that would start while the previous one is still running
 * is skipped (and counted), never queued. Wall-clock times are derived from one anchor
 * (wall0 + monotonic elapsed), so a session has one clock even if NTP steps the system time.
 */
import { systemClock, type Clock, type Timer } from './clock.js';

export interface Tick {
  /** Tick number, from 0. */
  readonly k: number;
  /** Scheduled time, Unix seconds. */
  readonly scheduledS: number;
  /** Actual start time, Unix seconds. */
  readonly actualS: number;
  /** actual − scheduled, ms. */
  readonly latenessMs: number;
}

export interface TickerOptions {
  readonly periodMs: number;
  /** First tick this long after start(), ms (default 0). */
  readonly offsetMs?: number;
  /** Stop after this many ticks (undefined: until stop()). */
  readonly maxTicks?: number;
  readonly onTick: (tick: Tick) => Promise<void> | void;
  /** Called when onTick throws: the ticker keeps going. */
  readonly onError?: (err: unknown) => void;
  /** Injectable for tests (default: the system clock). */
  readonly clock?: Clock;
}

export class Ticker {
  private timer: Timer | null = null;
  private readonly clock: Clock;
  private running = false;
  private stopped = false;
  private k = 0;
  private mono0 = 0;
  private wall0 = 0;
  private resolveDone: (() => void) | null = null;
  readonly done: Promise<void>;
  /** Ticks skipped because the previous one was still running. */
  skipped = 0;

  constructor(private readonly o: TickerOptions) {
    this.done = new Promise((r) => (this.resolveDone = r));
    this.clock = o.clock ?? systemClock;
  }

  private mono(): number {
    return this.clock.monotonicMs();
  }

  /** Unix seconds on the session clock for a monotonic time (ms). */
  wallS(monoMs: number): number {
    return (this.wall0 + (monoMs - this.mono0)) / 1000;
  }

  nowS(): number {
    return this.wallS(this.mono());
  }

  start(): void {
    this.mono0 = this.mono();
    this.wall0 = this.clock.wallMs();
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.o.maxTicks !== undefined && this.k >= this.o.maxTicks) {
      this.finish();
      return;
    }
    const due = this.mono0 + (this.o.offsetMs ?? 0) + this.k * this.o.periodMs;
    // Rounded up: timers have millisecond resolution, and one that fires early costs a second wake-up.
    this.timer = this.clock.setTimer(() => this.fire(due), Math.max(0, Math.ceil(due - this.mono())));
  }

  private fire(due: number): void {
    this.timer = null;
    const now = this.mono();
    if (now < due) {
      // Timers may fire up to a millisecond early: wait out the rest.
      this.timer = this.clock.setTimer(() => this.fire(due), Math.ceil(due - now));
      return;
    }
    const k = this.k++;
    if (this.running) {
      this.skipped++;
      this.schedule();
      return;
    }
    const tick: Tick = { k, scheduledS: this.wallS(due), actualS: this.wallS(now), latenessMs: now - due };
    this.running = true;
    // Schedule the next tick before running this one: a slow tick must not delay it.
    this.schedule();
    void this.run(tick);
  }

  private async run(tick: Tick): Promise<void> {
    try {
      await this.o.onTick(tick);
    } catch (e) {
      this.o.onError?.(e);
    } finally {
      this.running = false;
      if (this.stopped || (this.o.maxTicks !== undefined && this.k >= this.o.maxTicks)) this.finish();
    }
  }

  private finish(): void {
    if (this.running) return; // the tick in flight calls finish() when it ends
    this.resolveDone?.();
    this.resolveDone = null;
  }

  /** Stops scheduling; resolves when the tick in flight (if any) has finished. */
  stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    this.finish();
    return this.done;
  }
}
