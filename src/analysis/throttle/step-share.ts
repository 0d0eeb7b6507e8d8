/**
 * Each training step's share of time spent throttled on a device, 0–1, for the throttle tax.
 * Null where it cannot be judged: a step with no start, or one whose time is more than
 * maxUnknownShare outside the device's answered time (cannot-tell samples, or beyond its
 * telemetry): such a step is neither charged nor taken as unthrottled.
 * The spans are merged once and each step finds its first span by binary search, so 500,000
 * steps over 86,400 answered spans cost O(steps · log spans), not O(steps × spans); the shares
 * are throttledShareOf's to the bit (the same spans summed in the same order).
 */
import { THROTTLE_DEFAULTS, type ThrottleParams } from './constants.js';
import { unionOf, type Span } from './intervals.js';

/** Share of [t0, t1] covered by `u` (merged, sorted): throttledShareOf without re-merging. */
function shareOfMerged(u: readonly Span[], t0: number, t1: number): number {
  // First span ending after t0 (spans ending at or before it add 0 to the sum, and 0 to a zero-length step).
  let lo = 0, hi = u.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (u[mid]!.end <= t0) lo = mid + 1;
    else hi = mid;
  }
  if (!(t1 > t0)) return lo < u.length && u[lo]!.start <= t0 ? 1 : 0;
  let c = 0;
  for (let k = lo; k < u.length && u[k]!.start < t1; k++) c += Math.min(t1, u[k]!.end) - Math.max(t0, u[k]!.start);
  return c / (t1 - t0);
}

export function stepThrottleShares(
  steps: readonly { start: number | null; end: number }[],
  dev: { readonly intervals: readonly Span[]; readonly known: readonly Span[] },
  o: Pick<ThrottleParams, 'maxUnknownShare'> = THROTTLE_DEFAULTS,
): (number | null)[] {
  const known = unionOf(dev.known), intervals = unionOf(dev.intervals);
  return steps.map((s) => {
    if (s.start === null) return null;
    if (1 - shareOfMerged(known, s.start, s.end) > o.maxUnknownShare) return null;
    return shareOfMerged(intervals, s.start, s.end);
  });
}
