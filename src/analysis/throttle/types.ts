/** The throttle detector's input per sample, its answer, and the one signature every rule has. */
import type { ThrottleParams } from './constants.js';

/** Why a device was slowed (fixed vocabulary). */
export type Cause = 'thermal' | 'power' | 'hardware' | 'other';
export const CAUSES: readonly Cause[] = ['thermal', 'power', 'hardware', 'other'];

/** One sample of one device; null wherever the device does not offer the reading. */
export interface ThrottleInput {
  /** Unix s. */
  readonly t: number;
  /** Utilization, %. */
  readonly util_pct: number | null;
  /** Temperature, °C. */
  readonly temp_c: number | null;
  /** The device's limit, °C (resolved elsewhere: flag, hwmon crit/max, GPU slowdown temperature). */
  readonly temp_limit_c: number | null;
  /** Current clock / max clock (CPU: cpufreq; GPU: clocks.sm / clocks.max.sm). */
  readonly clock_ratio: number | null;
  /** Intel thermal_throttle: core + package throttle counts, summed over CPUs (cumulative). */
  readonly thermal_throttle_count: number | null;
  /** Intel thermal_throttle: core + package power-limit counts, summed (cumulative). */
  readonly power_limit_count: number | null;
  /** Intel thermal_throttle: core + package throttle total time, ms, summed (cumulative). */
  readonly throttle_time_ms: number | null;
  /** NVIDIA clocks_event_reasons.active bitmask. */
  readonly gpu_reasons: number | null;
}

/** The answer for one sample: 1 throttled, 0 not, null cannot tell; with the causes and why. */
export interface ThrottleSample {
  throttled: 0 | 1 | null;
  causes: Cause[];
  /** True when the answer rests on temperature and clocks, not on a counter or reason bit. */
  inferred: boolean;
  reason: string | null;
}

/**
 * A rule judges the current sample (with the previous one, for counters). It returns null to
 * abstain (nothing of its kind to judge by), or an answer; an answer of `throttled: null` means
 * it had evidence that does not decide (and says why).
 */
export type ThrottleRule = (cur: ThrottleInput, prev: ThrottleInput | null, o: ThrottleParams) => ThrottleSample | null;

/** Causes in the vocabulary's order, each once. */
export function orderedCauses(c: Iterable<Cause>): Cause[] {
  const s = new Set(c);
  return CAUSES.filter((x) => s.has(x));
}

export const isNum = (x: number | null | undefined): x is number => x !== null && x !== undefined && Number.isFinite(x);
