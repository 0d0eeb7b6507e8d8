/**
 * The coupling verdict, from the pre-specified family only: `coupled` when Holm rejects any of
 * its tests at the family level α, `not coupled` when none, `insufficient data` when the
 * question cannot be asked — no training steps, too few aligned samples, no thermal reading
 * (then `not coupled` would claim what was never measured), or no test of the family computable.
 */
import type { FamilyTest, XcorrEntry } from './coupling.js';

export type Verdict = 'coupled' | 'not coupled' | 'insufficient data';

export interface VerdictInput {
  steps: number;
  n: number;
  minAligned: number;
  noThermal: string | null;
  alpha: number;
  pairs: XcorrEntry[];
  tests: FamilyTest[];
  events: { spikes: number; collapse_events: number; window_s: number; coincidences: number; expected: number | null; p_value: number | null };
}

const fmt = (p: number): string => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));

export function decide(v: VerdictInput): { verdict: Verdict; reason: string } {
  if (v.steps === 0) return { verdict: 'insufficient data', reason: 'no training steps in this session' };
  if (v.noThermal !== null) return { verdict: 'insufficient data', reason: v.noThermal };
  if (v.n < v.minAligned) return { verdict: 'insufficient data', reason: `${v.n} telemetry samples have a training step in their interval after the warm-up (need ≥ ${v.minAligned})` };
  const parts: string[] = [];
  for (const e of v.pairs) {
    if (e.p_value === null) parts.push(`${e.training_metric} ↔ ${e.metric}: ${e.note ?? 'no correlation'}`);
    else parts.push(`${e.training_metric} ↔ ${e.metric}: r ${e.peak_r!.toFixed(2)} at ${e.peak_lag_s} s, p = ${fmt(e.p_value)} (Holm ${fmt(e.p_adjusted!)})`);
  }
  const ev = v.events, co = v.tests.at(-1)!;
  if (ev.p_value !== null) parts.push(`${ev.coincidences} of ${ev.spikes} spikes within ±${ev.window_s} s of a collapse start (expected ${ev.expected!.toFixed(1)}), p = ${fmt(ev.p_value)} (Holm ${fmt(co.p_adjusted!)})`);
  else parts.push(ev.collapse_events === 0 ? 'no collapse events' : 'no grad_norm spikes');
  const tested = v.tests.filter((t) => t.p_adjusted !== null);
  if (tested.length === 0) return { verdict: 'insufficient data', reason: `${parts.join('; ')}; no pre-specified test could be computed` };
  const hit = tested.some((t) => t.p_adjusted! < v.alpha);
  return { verdict: hit ? 'coupled' : 'not coupled', reason: `${parts.join('; ')} (Holm over ${tested.length} pre-specified tests, family α ${v.alpha})` };
}
