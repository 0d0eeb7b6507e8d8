/**
 * Batch form of the detector over one device's columns (uPlot-style; a missing column is all
 * null): the per-sample answers from the same ThrottleStream, the throttle intervals, what
 * evidence the device offered, and how long it was throttled.
 *
 * throttled_share = throttled_s / (throttled_s + unthrottled_s): the share of the time with an
 * answer, so cannot-tell time counts neither for nor against (a device that offered evidence
 * for half the session is judged on that half). unthrottled_s is the span of the samples that
 * answered 0; throttled_s the length of the intervals.
 */
import { THROTTLE_DEFAULTS, type ThrottleParams } from './constants.js';
import { ThrottleStream } from './detector.js';
import { sampleSpans, throttleIntervals, unionOf, type Span, type ThrottleInterval } from './intervals.js';
import { isNum, type ThrottleInput, type ThrottleSample } from './types.js';

type Column = readonly (number | null)[];

export interface ThrottleColumns {
  readonly t: readonly number[];
  readonly util_pct?: Column;
  readonly temp_c?: Column;
  readonly temp_limit_c?: Column;
  readonly clock_ratio?: Column;
  readonly thermal_throttle_count?: Column;
  readonly power_limit_count?: Column;
  readonly throttle_time_ms?: Column;
  readonly gpu_reasons?: Column;
}

export type Evidence = 'thermal_throttle counters' | 'power limit counters' | 'cpufreq' | 'clocks_event_reasons' | 'temperature limit';

export interface DeviceThrottle {
  samples: ThrottleSample[];
  intervals: ThrottleInterval[];
  /** Time with an answer (a sample's span, or inside an interval), merged: for step shares. */
  known: Span[];
  /** What the device offered at least once, in a fixed order. */
  evidence: Evidence[];
  throttled_s: number;
  unthrottled_s: number;
  /** throttled_s / (throttled_s + unthrottled_s); null when no sample had an answer. */
  throttled_share: number | null;
  note: string | null;
}

/** Row i of the columns as the detector's input. */
export function inputAt(c: ThrottleColumns, i: number): ThrottleInput {
  const v = (col: Column | undefined): number | null => {
    const x = col?.[i];
    return isNum(x) ? x : null;
  };
  return {
    t: c.t[i]!,
    util_pct: v(c.util_pct),
    temp_c: v(c.temp_c),
    temp_limit_c: v(c.temp_limit_c),
    clock_ratio: v(c.clock_ratio),
    thermal_throttle_count: v(c.thermal_throttle_count),
    power_limit_count: v(c.power_limit_count),
    throttle_time_ms: v(c.throttle_time_ms),
    gpu_reasons: v(c.gpu_reasons),
  };
}

function evidenceOf(rows: readonly ThrottleInput[]): Evidence[] {
  const any = (f: (r: ThrottleInput) => boolean): boolean => rows.some(f);
  const out: Evidence[] = [];
  if (any((r) => r.thermal_throttle_count !== null || r.throttle_time_ms !== null)) out.push('thermal_throttle counters');
  if (any((r) => r.power_limit_count !== null)) out.push('power limit counters');
  if (any((r) => r.clock_ratio !== null)) out.push('cpufreq');
  if (any((r) => r.gpu_reasons !== null)) out.push('clocks_event_reasons');
  if (any((r) => r.temp_c !== null && r.temp_limit_c !== null)) out.push('temperature limit');
  return out;
}

function noteOf(ev: readonly Evidence[], rows: readonly ThrottleInput[]): string | null {
  const direct = ev.some((e) => e !== 'cpufreq' && e !== 'temperature limit');
  if (direct) return null;
  const limit = ev.includes('temperature limit'), clock = ev.includes('cpufreq');
  if (!limit && !clock) {
    const tempOnly = rows.some((r) => r.temp_c !== null) ? ' (a temperature, but no limit for it)' : '';
    return `no throttle evidence: no counters, no clock reasons, no temperature limit${tempOnly}, no clock ratio — cannot tell`;
  }
  if (!clock) return 'no counters or clock reasons, and no clock ratio: a slowdown cannot be seen — cannot tell';
  if (!limit) return 'no counters or clock reasons, and no temperature limit: only full clocks (not throttled) or idle can be told';
  return 'no counters or clock reasons: throttling inferred from the temperature at its limit and a clock drop';
}

export function deviceThrottle(c: ThrottleColumns, o: ThrottleParams = THROTTLE_DEFAULTS): DeviceThrottle {
  const rows = c.t.map((_, i) => inputAt(c, i));
  const stream = new ThrottleStream(o);
  const samples = rows.map((r) => stream.push(r));
  const intervals = throttleIntervals(c.t, samples, o);
  const { spans } = sampleSpans(c.t, o);
  const answered = spans.filter((_, i) => samples[i]!.throttled !== null);
  const unthrottled_s = spans.reduce((a, s, i) => a + (samples[i]!.throttled === 0 ? s.end - s.start : 0), 0);
  const throttled_s = intervals.reduce((a, x) => a + x.duration_s, 0);
  const total = throttled_s + unthrottled_s;
  const evidence = evidenceOf(rows);
  return {
    samples,
    intervals,
    known: unionOf([...answered, ...intervals]),
    evidence,
    throttled_s,
    unthrottled_s,
    throttled_share: total > 0 ? throttled_s / total : null,
    note: noteOf(evidence, rows),
  };
}
