/**
 * Each training step's share of time spent throttled on a device, 0–1, for the throttle tax.
 * Null where it cannot be judged: a step with no start, or one whose time is more than
 * maxUnknownShare outside the device's answered time (cannot-tell samples, or beyond its
 * telemetry): such a step is neither charged nor taken as unthrottled.
 */
import { THROTTLE_DEFAULTS, type ThrottleParams } from './constants.js';
import { throttledShareOf, type Span } from './intervals.js';

export function stepThrottleShares(
  steps: readonly { start: number | null; end: number }[],
  dev: { readonly intervals: readonly Span[]; readonly known: readonly Span[] },
  o: Pick<ThrottleParams, 'maxUnknownShare'> = THROTTLE_DEFAULTS,
): (number | null)[] {
  return steps.map((s) => {
    if (s.start === null) return null;
    if (1 - throttledShareOf(dev.known, s.start, s.end) > o.maxUnknownShare) return null;
    return throttledShareOf(dev.intervals, s.start, s.end);
  });
}
