/**
 * Training steps onto a device's telemetry, by time: sample i owns the interval
 * [t_i, t_{i+1}) (the last sample, [t_n, t_n + median step)); its value is the mean of the
 * step metrics stamped inside it, NaN when none is. Both clocks are the session's (Unix s).
 */
import type { StepRecord } from '../../store/session-store.js';

export type StepMetric = 'grad_norm' | 'loss';

export function medianStep(t: readonly number[]): number {
  const d: number[] = [];
  for (let i = 1; i < t.length; i++) d.push(t[i]! - t[i - 1]!);
  if (d.length === 0) return 1;
  d.sort((a, b) => a - b);
  return d[Math.floor(d.length / 2)]!;
}

export function alignSteps(t: readonly number[], steps: readonly StepRecord[], metric: StepMetric): Float64Array {
  const n = t.length;
  const sum = new Float64Array(n);
  const cnt = new Uint32Array(n);
  const dt = medianStep(t);
  const sorted = steps.filter((s) => s[metric] !== null && Number.isFinite(s[metric])).sort((a, b) => a.t - b.t);
  let i = 0;
  for (const s of sorted) {
    if (n === 0 || s.t < t[0]! || s.t >= t[n - 1]! + dt) continue;
    while (i + 1 < n && t[i + 1]! <= s.t) i++;
    sum[i] = sum[i]! + s[metric]!;
    cnt[i] = cnt[i]! + 1;
  }
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = cnt[k]! > 0 ? sum[k]! / cnt[k]! : NaN;
  return out;
}
