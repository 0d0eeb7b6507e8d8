/**
 * Learning–thermal coupling of one device: do the fluctuations of grad_norm and loss move with
 * those of the thermal series, beyond the trends they all share (the machine warms up while
 * loss falls)? Training steps are aligned to the telemetry by time, the warm-up is dropped, each
 * series is reduced to its fluctuations (`fluctuations`), and the lagged correlations are tested
 * against surrogates of the transformed training series (surrogate-test.ts); grad_norm spikes
 * are tested against collapse events (coincidence.ts). The verdict comes from a pre-specified
 * family — grad_norm against rle_smoothed, temperature and measured power, and the spike ↔
 * collapse coincidences — with Holm's correction at 0.05; every other pair is exploratory, with
 * a Holm-adjusted p of its own family, and does not vote.
 *
 * Why local detrending, local scaling and prewhitening. A correlation is only tested against
 * what its null can mimic: phase-randomised surrogates are stationary, so whatever trend or
 * change of scale is left in the series shows up as "coupling". A whole-run line leaves the
 * curvature of a warm-up or a loss decay in both series; a local linear fit over 60 s follows it
 * (detrend.ts); dividing by the local RMS evens out fluctuations whose size changes (loss noise
 * shrinks with the loss, telemetry is quieter idle); each series' own AR filter then leaves
 * innovations, whose cross-correlations are nearly independent across lags (Haugh 1976).
 * Measured (calibration.test.ts, RLE_COUPLING_SWEEP=1 reprints; 60 seeded sessions over five
 * generators — warm-up shapes exp/logistic/ramp, 300–3000 samples, 1 and 2 Hz, 1 °C rounding or
 * none, steps faster and slower than telemetry, constant or level-proportional noise): share of
 * null pairs at p < 0.05 / null sessions `coupled` / planted link r 0.25 found / lag right:
 *   linear detrend (the earlier method)        55.0 % / 81.7 % / 78 % / 12 %
 *   linear detrend + AR                        14.4 % / 13.3 % / 63 % / 87 %
 *   first difference                            7.5 % / 10.0 % / 68 % / 92 %
 *   first difference + AR                       6.7 % /  5.0 % / 65 % / 92 %
 *   first difference + local scale + AR         5.0 % / 10.0 % / 73 % / 93 %
 *   local linear detrend                        7.9 % /  8.3 % / 60 % / 85 %
 *   local linear detrend + AR                   7.3 % / 10.0 % / 80 % / 97 %
 *   local linear detrend + AR + local scale     6.7 % /  8.3 % / 83 % / 98 %
 *   local linear detrend + local scale + AR     6.3 % /  6.7 % / 85 % / 97 %   ← chosen
 * (at r 0.45 every method but the first finds 95–100 %). Differencing is as well calibrated but
 * loses the slow part of a link (its gain falls to 0 at low frequency); scaling before the AR
 * fit lets Yule–Walker see a series of one size. On real data with nothing to find (the seed
 * training log against another session's GPU telemetry, 133 offsets; real-null.test.ts) the
 * chosen method gives 6.1 % of pairs at p < 0.05 and 6.0 % `coupled`; without the warm-up trim
 * 5.7 % and 4.5 %, with a whole-run line 7.4 % and 3.8 % (loss ~ temp_c 17 %). Bandwidths of
 * 30 and 120 s gave 6.3 % and 6.7 % of null pairs on the synthetic sessions (60 s: 4.2 % in
 * that run), 3.5 % and 5.4 % on the real null (100 offsets; 60 s: 5.4 %): 60 s is not tuned.
 * These were measured with surrogates of power-of-two length; on the shortest 2^a, 3·2^a or
 * 5·2^a length (surrogate-test.ts) the same tests give 6.7 % / 8.3 % on the 60 synthetic
 * sessions and 6.4 % / 7.5 % (10 of 133) on the real null — other draws of the same null: over
 * 400 further synthetic sessions both lengths give 4.8 % of pairs at p < 0.05, 5.0 % and 5.8 %
 * coupled, and at r 0.25 both find 82–83 %.
 */
import type { StepRecord } from '../../store/session-store.js';
import { COUPLING } from '../../core/constants.js';
import type { DeviceSeries } from '../../replay/series.js';
import { alignSteps, byTime, medianStep, type StepMetric } from './align.js';
import { coincidences } from './coincidence.js';
import { collapseEvents } from '../../core/collapse-edges.js';
import { localDetrend, localScale } from './detrend.js';
import { acf, EFFECTIVE_N_MAX_LAG, effectiveN, fisherInterval } from './effect.js';
import { holm } from './holm.js';
import { prewhiten } from './prewhiten.js';
import { findSpikes, type SpikeRule } from './spikes.js';
import { lagCorrelationTests, type PairRequest, type PairTest, type StopRule } from './surrogate-test.js';
import { noThermalReading, thermalSeries, type ThermalMetric } from './thermal.js';
import { decide, type Verdict } from './verdict.js';
import { afterWarmup, stepsToDrop } from './warmup.js';

export type { ThermalMetric } from './thermal.js';
export type { Verdict } from './verdict.js';

export interface CouplingOptions {
  /** Largest lag, s. */
  lagsS: number;
  /** Coincidence window ±w, s. */
  windowS: number;
  seed: number;
  /** Null draws per pre-specified test, at most: surrogates per correlation (sequential, may stop early), circular shifts for the coincidences. */
  draws: number;
  spikeRule: SpikeRule;
  /** Surrogates per exploratory pair, at most. */
  exploratoryDraws?: number;
  /** Full width of the local linear detrend, s. */
  detrendS?: number;
  /** Highest AR order for prewhitening. */
  arMaxOrder?: number;
  /** Telemetry samples dropped at the start. */
  warmupSamples?: number;
  /** Training steps dropped at the start: max(warmupSteps, ⌈warmupFraction × steps⌉). */
  warmupSteps?: number;
  warmupFraction?: number;
  /** Family-wise error rate of the pre-specified family. */
  alpha?: number;
}

export const COUPLING_DEFAULTS: Required<CouplingOptions> = COUPLING;

/** Fewer aligned samples than this and correlations mean little. */
export const MIN_ALIGNED = COUPLING.minAligned;
/** Sequential stopping of the surrogate tests (surrogate-test.ts). */
const STOP = { exceedances: 10, clearAfter: 250 };

export const LAG_CONVENTION = 'positive lag: the training series leads (training at t pairs with thermal at t + lag)';

/** Whether the finite values of `v` are not all one value (a constant series has no correlation). */
function varies(v: Float64Array): boolean {
  let first = NaN;
  for (const x of v) {
    if (!Number.isFinite(x)) continue;
    if (Number.isNaN(first)) first = x;
    else if (x !== first) return true;
  }
  return false;
}

/** The method in one line, for the report's method box. */
export function couplingMethod(o: CouplingOptions = COUPLING_DEFAULTS): string {
  const q = { ...COUPLING_DEFAULTS, ...o };
  return (
    `Steps averaged per telemetry interval; first max(${q.warmupSteps} steps, ${q.warmupFraction * 100} %) and first ${q.warmupSamples} samples dropped; ` +
    `each series detrended by a local linear fit over ${q.detrendS} s and prewhitened by its own AR model (order ≤ ${q.arMaxOrder}, AIC); ` +
    `Pearson r at lags −${q.lagsS}…+${q.lagsS} s (${LAG_CONVENTION}) with a 95 % Fisher-z interval on Bartlett's effective n, simultaneous over the lags; ` +
    `p of the peak |r| from phase-randomised surrogates of the transformed training series (sequential: stop at ${STOP.exceedances} exceedances; ≤ ${q.draws} draws pre-specified, ≤ ${q.exploratoryDraws} exploratory); ` +
    `verdict: Holm at ${q.alpha} over grad_norm ~ rle_smoothed, temp_c, power_w and spike ~ collapse coincidences (±${q.windowS} s, ${q.draws} circular shifts); other pairs exploratory, Holm-adjusted.`
  );
}

export type Family = 'prespecified' | 'exploratory';

export interface XcorrEntry {
  training_metric: StepMetric;
  metric: ThermalMetric;
  family: Family;
  lags_s: number[];
  /** r of the transformed (detrended, prewhitened) series per lag. */
  r: (number | null)[];
  /** Lag of the peak |r|, s; positive: the training series leads (LAG_CONVENTION). */
  peak_lag_s: number | null;
  peak_r: number | null;
  /** 95 % interval of peak_r, simultaneous over the lags (Fisher z on n_eff, Bonferroni over lags_s; effect.ts). */
  ci95: [number, number] | null;
  /** Pairs behind the peak r. */
  n: number;
  /** Bartlett's effective n behind ci95. */
  n_eff: number | null;
  /** Surrogate p of the peak |r| over all lags (raw). */
  p_value: number | null;
  /** Holm-adjusted within its family. */
  p_adjusted: number | null;
  /** Surrogates drawn (sequential stopping). */
  draws: number;
  /** AR orders of the prewhitening filters (training, thermal). */
  ar_order: [number, number] | null;
  /** Why there is no correlation for this pair (series missing, estimated or constant). */
  note?: string;
}

export interface FamilyTest {
  test: string;
  p_value: number | null;
  p_adjusted: number | null;
}

export interface DeviceCoupling {
  method: string;
  lag_convention: string;
  /** Telemetry samples with a training step in their interval, after the warm-up. */
  aligned_samples: number;
  warmup: { steps_dropped: number; samples_dropped: number; from_t: number | null };
  xcorr: XcorrEntry[];
  /** The tests behind the verdict. */
  prespecified: { correction: 'Holm'; alpha: number; tests: FamilyTest[] };
  /** Reported, not voted. */
  exploratory: { correction: 'Holm'; tests: FamilyTest[] };
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

/** How a series is reduced to its fluctuations (h: detrend half-width, samples). */
export type Transform = (x: ArrayLike<number>, h: number, arMaxOrder: number) => { values: Float64Array; order: number };

/** A series reduced to its fluctuations: local linear detrend over ±h samples, scaled to a local RMS of 1, then prewhitened by its own AR model. */
export function fluctuations(x: ArrayLike<number>, h: number, arMaxOrder: number): { values: Float64Array; order: number } {
  const p = prewhiten(localScale(localDetrend(x, h), h), arMaxOrder);
  return { values: p.values, order: p.order };
}

const PRESPECIFIED: readonly ThermalMetric[] = ['rle_smoothed', 'temp_c', 'power_w'];

/** f's value, computed at the first call. */
function once<T>(f: () => T): () => T {
  let v: { value: T } | null = null;
  return () => (v ??= { value: f() }).value;
}

/** A device's surrogate tests (lagCorrelationTests' arguments): plain arrays, so they can run on another thread. */
export interface SurrogateJob {
  training: Float64Array[];
  pairs: PairRequest[];
  K: number;
  stop: StopRule;
  seed: number;
}

/** A device's coupling but for its surrogate tests: `job` (null: nothing to test), and `finish` to complete it with their results. */
export interface CouplingPlan {
  job: SurrogateJob | null;
  /** The spikes and their coincidences with collapse events: known before the surrogate tests (finish's `events`). */
  events: DeviceCoupling['events'];
  finish: (tests: readonly PairTest[]) => DeviceCoupling;
}

/**
 * What planCoupling finds from the steps alone, for the devices of one session planned with the
 * same steps and options: pass one object to each, and it is found once (grad_norm spikes over
 * 500,000 steps: ~0.3 s a device).
 */
export interface SharedSteps {
  spikes?: { spikeTimes: number[]; spikeSteps: number[] };
}

/** grad_norm spikes of the steps after the warm-up: their times and step numbers. */
function spikesOf(kept: readonly StepRecord[], rule: SpikeRule): { spikeTimes: number[]; spikeSteps: number[] } {
  const inRun = kept.filter((s) => s.grad_norm !== null && Number.isFinite(s.grad_norm));
  const idx = findSpikes(inRun.map((s) => s.grad_norm!), rule);
  return { spikeTimes: idx.map((i) => inRun[i]!.t), spikeSteps: idx.map((i) => inRun[i]!.step) };
}

/** `transform` is replaceable only so that the calibration sweep can measure the alternatives. */
export function deviceCoupling(d: DeviceSeries, steps: readonly StepRecord[], opts: CouplingOptions = COUPLING_DEFAULTS, transform: Transform = fluctuations): DeviceCoupling {
  const { job, finish } = planCoupling(d, steps, opts, transform);
  return finish(job ? lagCorrelationTests(job.training, job.pairs, job.K, job.stop, job.seed) : []);
}

/**
 * deviceCoupling in two parts, so that the surrogate tests — nearly all of its time on a long
 * session — can run elsewhere while the caller does other work: everything else is done here,
 * the rest in `finish`. deviceCoupling(…) = finish(lagCorrelationTests(job…)).
 */
export function planCoupling(d: DeviceSeries, steps: readonly StepRecord[], opts: CouplingOptions = COUPLING_DEFAULTS, transform: Transform = fluctuations, shared: SharedSteps = {}): CouplingPlan {
  const o = { ...COUPLING_DEFAULTS, ...opts };
  const dt = medianStep(d.t);
  const sorted = byTime(steps.filter((s) => Number.isFinite(s.t)));
  const kept = afterWarmup(sorted, { samples: o.warmupSamples, steps: o.warmupSteps, fraction: o.warmupFraction });
  const aligned = { grad_norm: alignSteps(d.t, kept, 'grad_norm'), loss: alignSteps(d.t, kept, 'loss') };
  const w0 = Math.min(o.warmupSamples, d.t.length);
  for (const a of Object.values(aligned)) a.fill(NaN, 0, w0);
  // The analysed window: from the first to the last sample holding a step.
  let i0 = d.t.length, i1 = 0;
  for (let i = 0; i < d.t.length; i++) if (Number.isFinite(aligned.grad_norm[i]!) || Number.isFinite(aligned.loss[i]!)) { i0 = Math.min(i0, i); i1 = i + 1; }
  if (i1 <= i0) i0 = i1 = 0;
  const n = aligned.grad_norm.subarray(i0, i1).reduce((c, v) => c + (Number.isFinite(v) ? 1 : 0), 0);
  const noThermal = noThermalReading(d);
  const K = Math.max(0, Math.min(Math.round(o.lagsS / dt), Math.floor((i1 - i0) / 4)));
  // Lags in seconds to a tenth of the sampling period's order (1 Hz: 0.1 s): a median step of
  // 1.0006 s makes lag 10 "10 s", not "10.006 s" — the jitter is not information.
  const q = 10 ** (Math.floor(Math.log10(dt)) - 1);
  const lags_s = Array.from({ length: 2 * K + 1 }, (_, j) => Number((Math.round(((j - K) * dt) / q) * q).toPrecision(12)));
  const h = Math.max(2, Math.round(o.detrendS / 2 / dt));

  const xs = (['grad_norm', 'loss'] as const).map((tm) => transform(aligned[tm].subarray(i0, i1), h, o.arMaxOrder));
  // Each thermal series is read and transformed once, for both training series.
  const thermal = new Map<ThermalMetric, { th: ReturnType<typeof thermalSeries>; y?: ReturnType<Transform>; acf?: () => Float64Array }>();
  const xcorr: XcorrEntry[] = [];
  const requests: PairRequest[] = [];
  const slots: { entry: XcorrEntry; y: Float64Array; yOrder: number; yAcf: () => Float64Array }[] = [];
  for (const [xi, tm] of (['grad_norm', 'loss'] as const).entries()) {
    for (const m of ['rle_smoothed', 'temp_c', 'power_w', 'util_pct'] as const) {
      const family: Family = tm === 'grad_norm' && PRESPECIFIED.includes(m) && noThermal === null ? 'prespecified' : 'exploratory';
      const entry: XcorrEntry = { training_metric: tm, metric: m, family, lags_s: [], r: [], peak_lag_s: null, peak_r: null, ci95: null, n: 0, n_eff: null, p_value: null, p_adjusted: null, draws: 0, ar_order: null };
      xcorr.push(entry);
      const cached = thermal.get(m) ?? { th: thermalSeries(d, m, i0, i1) };
      thermal.set(m, cached);
      const note = steps.length === 0 ? 'no training steps' : n < MIN_ALIGNED ? `${n} aligned samples` : noThermal !== null && m !== 'util_pct' ? noThermal : cached.th.missing;
      if (note) {
        entry.note = note;
        continue;
      }
      const y = (cached.y ??= transform(cached.th.values, h, o.arMaxOrder));
      requests.push({ x: xi, y: y.values, maxDraws: family === 'prespecified' ? o.draws : o.exploratoryDraws });
      slots.push({ entry, y: y.values, yOrder: y.order, yAcf: (cached.acf ??= once(() => acf(y.values, EFFECTIVE_N_MAX_LAG))) });
    }
  }
  const job = requests.length > 0 ? { training: xs.map((x) => x.values), pairs: requests, K, stop: STOP, seed: o.seed } : null;

  const { spikeTimes, spikeSteps } = (shared.spikes ??= spikesOf(kept, o.spikeRule));
  const tw = d.t.slice(i0, i1);
  const events = collapseEvents(d.device, tw, d.collapse.slice(i0, i1));
  const span: [number, number] = [tw[0] ?? 0, (tw.at(-1) ?? 0) + dt];
  const co = noThermal === null && n >= MIN_ALIGNED ? coincidences(spikeTimes, events.map((e) => e.start), o.windowS, span, o.draws, o.seed + 1000) : { coincidences: 0, expected: null, p_value: null };
  const ev = { spike_rule: o.spikeRule, spikes: spikeTimes.length, spike_steps: spikeSteps, collapse_events: events.length, window_s: o.windowS, ...co };
  const warmup = { steps_dropped: stepsToDrop(sorted.length, { samples: o.warmupSamples, steps: o.warmupSteps, fraction: o.warmupFraction }), samples_dropped: w0, from_t: kept[0]?.t ?? null };

  const finish = (tests: readonly PairTest[]): DeviceCoupling => {
    fillEntries(tests);
    return judged({ o, steps: steps.length, n, noThermal, warmup, xcorr, ev });
  };
  const xAcf = xs.map((x) => once(() => acf(x.values, EFFECTIVE_N_MAX_LAG)));
  const fillEntries = (tests: readonly PairTest[]): void => tests.forEach((t, j) => {
    const { entry, yOrder, yAcf } = slots[j]!;
    const x = xs[requests[j]!.x]!;
    entry.lags_s = lags_s;
    entry.r = Array.from(t.r, (v) => (Number.isFinite(v) ? v : null));
    entry.draws = t.draws;
    entry.ar_order = [x.order, yOrder];
    if (t.peak < 0) {
      entry.note = `${varies(aligned[entry.training_metric].subarray(i0, i1)) ? entry.metric : entry.training_metric} does not vary over the pairs here`;
      return;
    }
    entry.peak_lag_s = lags_s[t.peak]!;
    entry.peak_r = t.r[t.peak]!;
    entry.n = t.n[t.peak]!;
    entry.n_eff = Math.round(effectiveN({ acf: xAcf[requests[j]!.x]!() }, { acf: yAcf() }, entry.n) * 10) / 10;
    entry.ci95 = fisherInterval(entry.peak_r, entry.n_eff, lags_s.length);
    entry.p_value = t.p_value;
  });
  return { job, events: ev, finish };
}

/** Holm within each family, and the verdict from the pre-specified one. */
function judged(c: { o: Required<CouplingOptions>; steps: number; n: number; noThermal: string | null; warmup: DeviceCoupling['warmup']; xcorr: XcorrEntry[]; ev: DeviceCoupling['events'] }): DeviceCoupling {
  const { o, n, noThermal, xcorr, ev } = c;
  const pre = xcorr.filter((e) => e.family === 'prespecified');
  const preTests: FamilyTest[] = [...pre.map((e) => ({ test: `${e.training_metric} ~ ${e.metric}`, p_value: e.p_value, p_adjusted: null })), { test: 'grad_norm spikes ~ collapse starts', p_value: ev.p_value, p_adjusted: null }];
  holm(preTests.map((t) => t.p_value)).forEach((p, i) => ((preTests[i]!.p_adjusted = p), i < pre.length && (pre[i]!.p_adjusted = p)));
  const exp = xcorr.filter((e) => e.family === 'exploratory');
  holm(exp.map((e) => e.p_value)).forEach((p, i) => (exp[i]!.p_adjusted = p));
  const expTests = exp.map((e) => ({ test: `${e.training_metric} ~ ${e.metric}`, p_value: e.p_value, p_adjusted: e.p_adjusted }));

  const { verdict, reason } = decide({ steps: c.steps, n, minAligned: MIN_ALIGNED, noThermal, alpha: o.alpha, pairs: pre, tests: preTests, events: ev });
  return {
    method: couplingMethod(o),
    lag_convention: LAG_CONVENTION,
    aligned_samples: n,
    warmup: c.warmup,
    xcorr,
    prespecified: { correction: 'Holm', alpha: o.alpha, tests: preTests },
    exploratory: { correction: 'Holm', tests: expTests },
    events: ev,
    verdict,
    reason,
  };
}
