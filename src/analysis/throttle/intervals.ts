/**
 * Throttle intervals from a device's per-sample answers. Sample i stands for [t_i, t_{i+1});
 * the last one, and one followed by a gap longer than maxGapSteps median periods, for one
 * median period. Consecutive throttled samples form an interval (causes united; inferred only
 * if every throttled sample in it was), bridging up to `bridgeNullSamples` cannot-tell samples
 * (a dropped reading) but never a 0 (evidence of no throttle) or a time gap. An interval with
 * only inferred evidence needs `minInferredSamples` throttled samples (one noisy reading is not
 * a throttle); direct evidence counts from one sample.
 */
import { THROTTLE_DEFAULTS, type ThrottleParams } from './constants.js';
import { orderedCauses, type Cause, type ThrottleSample } from './types.js';

export interface Span {
  start: number;
  end: number;
}

export interface ThrottleInterval extends Span {
  duration_s: number;
  causes: Cause[];
  inferred: boolean;
}

export function medianPeriod(t: readonly number[]): number {
  const d: number[] = [];
  for (let i = 1; i < t.length; i++) if (t[i]! > t[i - 1]!) d.push(t[i]! - t[i - 1]!);
  if (d.length === 0) return 1;
  d.sort((a, b) => a - b);
  return d[d.length >> 1]!;
}

/** Each sample's span, s; `broken[i]`: a gap follows sample i. */
export function sampleSpans(t: readonly number[], o: Pick<ThrottleParams, 'maxGapSteps'> = THROTTLE_DEFAULTS): { spans: Span[]; broken: boolean[] } {
  const dt = medianPeriod(t);
  const spans: Span[] = [];
  const broken: boolean[] = [];
  t.forEach((ti, i) => {
    const next = t[i + 1];
    const gap = next === undefined || next - ti > o.maxGapSteps * dt || next < ti;
    spans.push({ start: ti, end: gap ? ti + dt : next });
    broken.push(gap);
  });
  return { spans, broken };
}

export function throttleIntervals(t: readonly number[], samples: readonly ThrottleSample[], o: ThrottleParams = THROTTLE_DEFAULTS): ThrottleInterval[] {
  const { spans, broken } = sampleSpans(t, o);
  const out: ThrottleInterval[] = [];
  let open: { start: number; end: number; causes: Cause[]; inferred: boolean; n: number } | null = null;
  let nulls = 0;
  const close = (): void => {
    if (open && (!open.inferred || open.n >= o.minInferredSamples)) out.push({ start: open.start, end: open.end, duration_s: open.end - open.start, causes: orderedCauses(open.causes), inferred: open.inferred });
    open = null;
  };
  for (let i = 0; i < samples.length && i < spans.length; i++) {
    const s = samples[i]!;
    if (s.throttled === 1) {
      if (open === null) open = { start: spans[i]!.start, end: spans[i]!.end, causes: [], inferred: true, n: 0 };
      open.end = spans[i]!.end;
      open.causes.push(...s.causes);
      open.inferred &&= s.inferred;
      open.n++;
      nulls = 0;
    } else if (s.throttled === null && open !== null && nulls < o.bridgeNullSamples) nulls++;
    else close();
    if (broken[i]) close();
  }
  close();
  return out;
}

/** Merged, sorted copy of possibly overlapping spans. */
export function unionOf(spans: readonly Span[]): Span[] {
  const s = spans.filter((x) => x.end > x.start).map((x) => ({ start: x.start, end: x.end })).sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const x of s) {
    const last = out.at(-1);
    if (last && x.start <= last.end) last.end = Math.max(last.end, x.end);
    else out.push(x);
  }
  return out;
}

/**
 * Fraction of [t0, t1] covered by the spans (overlaps counted once), 0–1: the share of a
 * training step spent throttled. A zero-length step (t1 = t0) is 1 inside a span, else 0.
 */
export function throttledShareOf(intervals: readonly Span[], t0: number, t1: number): number {
  const u = unionOf(intervals);
  if (!(t1 > t0)) return u.some((x) => x.start <= t0 && t0 < x.end) ? 1 : 0;
  let c = 0;
  for (const x of u) c += Math.max(0, Math.min(t1, x.end) - Math.max(t0, x.start));
  return c / (t1 - t0);
}
