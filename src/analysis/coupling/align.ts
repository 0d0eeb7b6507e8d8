/**
 * Training steps onto a device's telemetry, by time: sample i owns the interval
 * [t_i, t_{i+1}) (the last sample, [t_n, t_n + median step)); its value is the mean of the
 * step metrics stamped inside it, NaN when none is. Both clocks are the session's (Unix s).
 * One pass over steps and samples (steps are sorted by time first only when they are not).
 */
import type { StepRecord } from '../../store/session-store.js';

export type StepMetric = 'grad_norm' | 'loss';

export function medianStep(t: readonly number[]): number {
  const d = new Float64Array(Math.max(0, t.length - 1));
  for (let i = 1; i < t.length; i++) d[i - 1] = t[i]! - t[i - 1]!;
  if (d.length === 0) return 1;
  d.sort();
  return d[Math.floor(d.length / 2)]!;
}

/** The steps in time order (the same array when it already is). */
export function byTime(steps: readonly StepRecord[]): readonly StepRecord[] {
  for (let i = 1; i < steps.length; i++) if (steps[i]!.t < steps[i - 1]!.t) return [...steps].sort((a, b) => a.t - b.t);
  return steps;
}

export function alignSteps(t: readonly number[], steps: readonly StepRecord[], metric: StepMetric): Float64Array {
  const n = t.length;
  const sum = new Float64Array(n);
  const cnt = new Uint32Array(n);
  const dt = medianStep(t);
  let i = 0;
  for (const s of byTime(steps)) {
    const v = s[metric];
    if (v === null || !Number.isFinite(v)) continue;
    if (n === 0 || s.t < t[0]! || s.t >= t[n - 1]! + dt) continue;
    while (i + 1 < n && t[i + 1]! <= s.t) i++;
    sum[i] = sum[i]! + v;
    cnt[i] = cnt[i]! + 1;
  }
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = cnt[k]! > 0 ? sum[k]! / cnt[k]! : NaN;
  return out;
}
