/**
 * Learning–thermal coupling of one device: training steps aligned to its telemetry by time,
 * lagged correlations (detrended) between grad_norm/loss and each thermal series with
 * permutation p-values, spikes against collapse events with a circular-shift null, and a
 * verdict — `coupled`, `not coupled` or `insufficient data` — from the two pre-specified
 * tests (grad_norm ↔ rle_smoothed correlation, spike ↔ collapse coincidences) at a family
 * level of 0.05 (Bonferroni: each at 0.025). The other correlations are reported, not voted.
 */
import type { StepRecord } from '../../store/session-store.js';
import type { DeviceSeries } from '../../replay/series.js';
import { alignSteps, medianStep, type StepMetric } from './align.js';
import { coincidences } from './coincidence.js';
import { collapseEvents } from './collapse-events.js';
import { detrend } from './detrend.js';
import { findSpikes, type SpikeRule } from './spikes.js';
import { laggedCorrelation, type XcorrResult } from './xcorr.js';

export interface CouplingOptions {
  /** Largest lag, s. */
  lagsS: number;
  /** Coincidence window ±w, s. */
  windowS: number;
  seed: number;
  /** Null draws per test: surrogates for the correlations, circular shifts for the coincidences. */
  shifts: number;
  spikeRule: SpikeRule;
}

export const COUPLING_DEFAULTS: CouplingOptions = { lagsS: 10, windowS: 3, seed: 1, shifts: 1000, spikeRule: 'robust' };

/** Fewer aligned samples than this and correlations mean little. */
export const MIN_ALIGNED = 20;
const FAMILY_ALPHA = 0.05;

export type ThermalMetric = 'rle_smoothed' | 'temp_c' | 'power_w' | 'util_pct';
export type Verdict = 'coupled' | 'not coupled' | 'insufficient data';

export interface XcorrEntry extends XcorrResult {
  training_metric: StepMetric;
  metric: ThermalMetric;
  /** Why there is no correlation for this pair (series missing or estimated). */
  note?: string;
}

export interface DeviceCoupling {
  aligned_samples: number;
  xcorr: XcorrEntry[];
  events: {
    spike_rule: SpikeRule;
    spikes: number;
    spike_steps: number[];
    collapse_events: number;
    window_s: number;
    coincidences: number;
    expected: number | null;
    p_value: number | null;
  };
  verdict: Verdict;
  reason: string;
}

function thermalSeries(d: DeviceSeries, m: ThermalMetric): { values: Float64Array; note?: string } {
  const raw = m === 'rle_smoothed' ? d.rle_smoothed : d[m];
  const values = Float64Array.from(raw, (v) => (v === null ? NaN : v));
  if (m === 'temp_c' && d.temp_c.every((v) => v === null)) return { values, note: 'temperature not measured' };
  if (m === 'power_w') {
    if (d.power_w.every((v) => v === null)) return { values, note: 'power not measured (estimated from utilization, so it carries no information of its own)' };
    d.power_estimated.forEach((e, i) => e === 1 && (values[i] = NaN)); // only measured power
  }
  return { values };
}

export function deviceCoupling(d: DeviceSeries, steps: readonly StepRecord[], o: CouplingOptions = COUPLING_DEFAULTS): DeviceCoupling {
  const dt = medianStep(d.t);
  const aligned = { grad_norm: alignSteps(d.t, steps, 'grad_norm'), loss: alignSteps(d.t, steps, 'loss') };
  const n = aligned.grad_norm.reduce((c, v) => c + (Number.isFinite(v) ? 1 : 0), 0);
  const xcorr: XcorrEntry[] = [];
  let seed = o.seed;
  for (const tm of ['grad_norm', 'loss'] as const) {
    const x = detrend(aligned[tm]);
    for (const m of ['rle_smoothed', 'temp_c', 'power_w', 'util_pct'] as const) {
      const th = thermalSeries(d, m);
      const base = { training_metric: tm, metric: m };
      if (th.note || n < MIN_ALIGNED) {
        xcorr.push({ ...base, lags_s: [], r: [], peak_lag_s: null, peak_r: null, p_value: null, n: 0, note: th.note ?? `${n} aligned samples` });
        continue;
      }
      const r = laggedCorrelation(x, detrend(th.values), dt, o.lagsS, o.shifts, seed++);
      xcorr.push(r.peak_r === null ? { ...base, ...r, note: `${m} does not vary here (a constant reading has no correlation)` } : { ...base, ...r });
    }
  }
  const inRun = steps.filter((s) => s.grad_norm !== null && Number.isFinite(s.grad_norm)).sort((a, b) => a.t - b.t);
  const spikeIdx = findSpikes(inRun.map((s) => s.grad_norm!), o.spikeRule);
  const spikeTimes = spikeIdx.map((i) => inRun[i]!.t);
  const events = collapseEvents(d.device, d.t, d.collapse);
  const span: [number, number] = [d.t[0] ?? 0, (d.t.at(-1) ?? 0) + dt];
  const co = coincidences(spikeTimes, events.map((e) => e.start), o.windowS, span, o.shifts, o.seed + 1000);
  const ev = {
    spike_rule: o.spikeRule,
    spikes: spikeTimes.length,
    spike_steps: spikeIdx.map((i) => inRun[i]!.step),
    collapse_events: events.length,
    window_s: o.windowS,
    ...co,
  };
  const { verdict, reason } = decide(d, steps.length, n, xcorr.find((e) => e.training_metric === 'grad_norm' && e.metric === 'rle_smoothed')!, ev);
  return { aligned_samples: n, xcorr, events: ev, verdict, reason };
}

function decide(d: DeviceSeries, steps: number, n: number, primary: XcorrEntry, ev: DeviceCoupling['events']): { verdict: Verdict; reason: string } {
  if (steps === 0) return { verdict: 'insufficient data', reason: 'no training steps in this session' };
  if (n < MIN_ALIGNED) return { verdict: 'insufficient data', reason: `${n} telemetry samples have a training step in their interval (need ≥ ${MIN_ALIGNED})` };
  const alpha = FAMILY_ALPHA / 2;
  const pc = primary.p_value, pe = ev.p_value;
  const noTemp = d.temp_c.every((v) => v === null);
  const fmt = (p: number): string => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));
  const parts: string[] = [];
  if (pc !== null) parts.push(`grad_norm ↔ rle_smoothed: peak r ${primary.peak_r!.toFixed(2)} at ${primary.peak_lag_s} s, p = ${fmt(pc)}`);
  if (pe !== null) parts.push(`${ev.coincidences} of ${ev.spikes} spikes within ±${ev.window_s} s of a collapse start (expected ${ev.expected!.toFixed(1)}), p = ${fmt(pe)}`);
  else parts.push(ev.collapse_events === 0 ? `no collapse events${noTemp ? ' (no temperature: collapses cannot be detected)' : ''}` : 'no grad_norm spikes');
  if (pc === null && pe === null) return { verdict: 'insufficient data', reason: `${parts.join('; ')}; rle_smoothed does not vary` };
  const hit = (pc !== null && pc < alpha) || (pe !== null && pe < alpha);
  return { verdict: hit ? 'coupled' : 'not coupled', reason: `${parts.join('; ')} (each test at ${alpha}, family 0.05)` };
}
