/**
 * Workload fingerprint features of a device's telemetry, per window (default 30 s): for util,
 * measured power, temperature, rle_smoothed, E_th and E_pw the mean, sd, 10/50/90 % quantiles
 * and slope (per minute); plus the collapse rate, and from utilization its burstiness,
 * lag-1 autocorrelation, dominant period (spectral peak) and duty cycle. Only what was
 * measured: features of a missing sensor are NaN (missing), never 0 — power features need
 * measured power, temperature and E_th need a temperature, E_pw needs measured power.
 */
import type { DeviceSeries } from '../replay/series.js';

const STATS = ['mean', 'sd', 'q10', 'q50', 'q90', 'slope_per_min'] as const;
const SERIES = ['util_pct', 'power_w', 'temp_c', 'rle_smoothed', 'E_th', 'E_pw'] as const;
const UTIL_SHAPE = ['util_burstiness', 'util_acf1', 'util_period_s', 'util_duty_cycle'] as const;

export const FEATURE_NAMES: readonly string[] = [...SERIES.flatMap((s) => STATS.map((st) => `${s}_${st}`)), 'collapse_rate', ...UTIL_SHAPE];

export const WINDOW_DEFAULT_S = 30;
/** Window lengths accepted (s): a window must hold samples (≥ 8) yet stay a window of a session. */
export const WINDOW_MIN_S = 1;
export const WINDOW_MAX_S = 3600;
/** Points of the direct DFT in dominantPeriod: a longer window is averaged down to this (cost ∝ points²). */
const DFT_MAX_POINTS = 512;
/** A window needs this many samples to be described at all. */
export const MIN_WINDOW_SAMPLES = 8;

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function stats(t: number[], x: (number | null)[]): number[] {
  const pts: [number, number][] = [];
  x.forEach((v, i) => v !== null && Number.isFinite(v) && pts.push([t[i]!, v]));
  if (pts.length < MIN_WINDOW_SAMPLES / 2) return STATS.map(() => NaN);
  const v = pts.map((p) => p[1]);
  const n = v.length;
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1));
  const sorted = [...v].sort((a, b) => a - b);
  const tm = pts.reduce((a, p) => a + p[0], 0) / n;
  let sxy = 0, sxx = 0;
  for (const [ti, vi] of pts) {
    sxy += (ti - tm) * (vi - mean);
    sxx += (ti - tm) ** 2;
  }
  return [mean, sd, quantile(sorted, 0.1), quantile(sorted, 0.5), quantile(sorted, 0.9), sxx > 0 ? (sxy / sxx) * 60 : 0];
}

/** Period (s) of the strongest non-constant frequency of x sampled every dt, by a direct DFT. */
export function dominantPeriod(x: number[], dt: number): number {
  const n = x.length;
  const mean = x.reduce((a, b) => a + b, 0) / n;
  let best = 0, bestK = 0;
  for (let k = 1; k <= n / 2; k++) {
    let re = 0, im = 0;
    for (let i = 0; i < n; i++) {
      const a = (2 * Math.PI * k * i) / n;
      re += (x[i]! - mean) * Math.cos(a);
      im -= (x[i]! - mean) * Math.sin(a);
    }
    const p = re * re + im * im;
    if (p > best) {
      best = p;
      bestK = k;
    }
  }
  return bestK === 0 ? NaN : (n * dt) / bestK;
}

/** `x` averaged in consecutive blocks down to at most `max` points, with the new spacing. */
function decimate(x: number[], dt: number, max: number): { x: number[]; dt: number } {
  if (x.length <= max) return { x, dt };
  const k = Math.ceil(x.length / max);
  const out: number[] = [];
  for (let i = 0; i + k <= x.length; i += k) {
    let s = 0;
    for (let j = i; j < i + k; j++) s += x[j]!;
    out.push(s / k);
  }
  return { x: out, dt: dt * k };
}

function utilShape(u: number[], dt: number): number[] {
  if (u.length < MIN_WINDOW_SAMPLES) return UTIL_SHAPE.map(() => NaN);
  const n = u.length;
  const mean = u.reduce((a, b) => a + b, 0) / n;
  const v = u.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  const d = u.slice(1).map((x, i) => x - u[i]!);
  const dm = d.reduce((a, b) => a + b, 0) / d.length;
  const dv = d.reduce((a, b) => a + (b - dm) ** 2, 0) / d.length;
  // burstiness: sd of the sample-to-sample change over the sd of the series (≈ 1.4 white noise, → 0 smooth)
  const burst = v > 1e-9 ? Math.sqrt(dv / v) : 0;
  let c = 0;
  for (let i = 1; i < n; i++) c += (u[i]! - mean) * (u[i - 1]! - mean);
  const acf1 = v > 1e-9 ? c / (n * v) : 0;
  const sorted = [...u].sort((a, b) => a - b);
  const mid = (quantile(sorted, 0.1) + quantile(sorted, 0.9)) / 2;
  const duty = v > 1e-9 ? u.filter((x) => x > mid).length / n : 1;
  const dft = decimate(u, dt, DFT_MAX_POINTS);
  return [burst, acf1, v > 1e-9 ? dominantPeriod(dft.x, dft.dt) : NaN, duty];
}

export interface FeatureWindow {
  start: number;
  end: number;
  values: number[];
}

/** Features of [i0, i1) of a device's samples. */
function windowFeatures(d: DeviceSeries, i0: number, i1: number): number[] {
  const t = d.t.slice(i0, i1);
  const sl = <T>(a: T[]): T[] => a.slice(i0, i1);
  const measuredPower = sl(d.power_w).map((p, i) => (d.power_estimated[i0 + i] === 0 ? p : null));
  const hasTemp = sl(d.temp_c).some((v) => v !== null);
  const hasPower = measuredPower.some((v) => v !== null);
  const none = STATS.map(() => NaN);
  const util = sl(d.util_pct).map((v) => v ?? 0);
  const dt = t.length > 1 ? (t.at(-1)! - t[0]!) / (t.length - 1) : 1;
  return [
    ...stats(t, sl(d.util_pct)),
    ...(hasPower ? stats(t, measuredPower) : none),
    ...(hasTemp ? stats(t, sl(d.temp_c)) : none),
    ...stats(t, sl(d.rle_smoothed)),
    ...(hasTemp ? stats(t, sl(d.E_th)) : none),
    ...(hasPower ? stats(t, sl(d.E_pw)) : none),
    sl(d.collapse).reduce((a, b) => a + b, 0) / (i1 - i0),
    ...utilShape(util, dt),
  ];
}

/**
 * Consecutive windows of `windowS` seconds (a session shorter than one window is one window),
 * one at a time. Every window takes at least one sample, so this ends for any window length
 * and any times (a window too short to hold two samples, NaN times).
 */
export function* windowsOf(d: DeviceSeries, windowS = WINDOW_DEFAULT_S): Generator<FeatureWindow> {
  const n = d.t.length;
  if (n < MIN_WINDOW_SAMPLES) return;
  let i0 = 0;
  while (i0 < n) {
    let i1 = i0 + 1;
    while (i1 < n && d.t[i1]! < d.t[i0]! + windowS) i1++;
    if (i1 - i0 >= MIN_WINDOW_SAMPLES && (d.t[i1 - 1]! - d.t[i0]! >= 0.5 * windowS || (i0 === 0 && i1 === n))) yield { start: d.t[i0]!, end: d.t[i1 - 1]!, values: windowFeatures(d, i0, i1) };
    i0 = i1;
  }
}

export function sessionWindows(d: DeviceSeries, windowS = WINDOW_DEFAULT_S): FeatureWindow[] {
  return [...windowsOf(d, windowS)];
}

/** sessionWindows that gives the event loop a turn every ~50 ms, so Ctrl-C and SIGTERM are heard on a long session. */
export async function sessionWindowsAsync(d: DeviceSeries, windowS = WINDOW_DEFAULT_S): Promise<FeatureWindow[]> {
  const out: FeatureWindow[] = [];
  let last = performance.now();
  for (const w of windowsOf(d, windowS)) {
    out.push(w);
    if (performance.now() - last > 50) {
      await new Promise((r) => setImmediate(r));
      last = performance.now();
    }
  }
  return out;
}
