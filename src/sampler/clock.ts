/**
 * The sampler's clock: a monotonic time for scheduling and Δt, a wall-clock anchor for Unix
 * times, and timers. Injectable, so ticker and sampler tests run on a fake clock instead of
 * sleeping in real time.
 */
import { performance } from 'node:perf_hooks';

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Monotonic time, ms (performance.now()). */
  monotonicMs(): number;
  /** Wall-clock time, ms since the Unix epoch (Date.now()). */
  wallMs(): number;
  /** Calls `fn` after `ms` milliseconds; the timer does not keep the process alive alone when `unref`. */
  setTimer(fn: () => void, ms: number, unref?: boolean): Timer;
}

export const systemClock: Clock = {
  monotonicMs: () => performance.now(),
  wallMs: () => Date.now(),
  setTimer(fn, ms, unref = false) {
    const t = setTimeout(fn, ms);
    if (unref) t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/** Resolves after `ms` on the given clock. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(resolve, ms));
}
