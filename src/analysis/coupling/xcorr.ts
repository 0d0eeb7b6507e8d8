/**
 * Lagged correlation between a training series x and a thermal series y on the telemetry grid,
 * with a p-value for the peak that accounts for having looked at every lag: the peak |r| is
 * compared with the peak |r| of phase-randomised surrogates of x (same power spectrum, so the
 * same autocorrelation; same missing-value pattern; alignment with y broken).
 * Lag k (samples; seconds = k × dt) pairs x[i] with y[i + k]: positive lag, x leads.
 *
 * Why surrogates, not circular shifts: a shift that keeps clear of the lag window (the only kind
 * that does not re-align a real link at another lag) leaves out exactly the reference statistics
 * that overlap the observed one, and the test becomes anti-conservative — measured here on white
 * noise, n = 300, lags ±10: 10 % of p < 0.05 and 6.5 % of p < 0.01. With surrogates the same
 * check gives the nominal rates (see the calibration tests).
 */
import { mulberry32 } from '../../core/random.js';
import { dft, surrogate } from './fft.js';

export interface XcorrResult {
  lags_s: number[];
  r: (number | null)[];
  peak_lag_s: number | null;
  peak_r: number | null;
  p_value: number | null;
  /** Pairs behind the peak r. */
  n: number;
}

/** Pearson r of x[i] and y[(i + k + shift) ...] over pairs where both are finite; x index circularly shifted by `shift`. */
function corrAt(x: Float64Array, y: Float64Array, k: number, shift: number): [number, number] {
  const n = x.length;
  let c = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  const lo = Math.max(0, -k), hi = Math.min(n, n - k);
  for (let i = lo; i < hi; i++) {
    let j = i + shift;
    if (j >= n) j -= n;
    const a = x[j]!, b = y[i + k]!;
    if (a !== a || b !== b) continue; // NaN
    c++;
    sx += a;
    sy += b;
    sxx += a * a;
    syy += b * b;
    sxy += a * b;
  }
  if (c < 3) return [NaN, c];
  const vx = sxx - (sx * sx) / c, vy = syy - (sy * sy) / c;
  if (vx <= 1e-12 * Math.max(1, sxx) || vy <= 1e-12 * Math.max(1, syy)) return [NaN, c];
  return [(sxy - (sx * sy) / c) / Math.sqrt(vx * vy), c];
}

function peak(x: Float64Array, y: Float64Array, K: number, shift: number): number {
  let best = 0;
  for (let k = -K; k <= K; k++) {
    const [r] = corrAt(x, y, k, shift);
    if (Math.abs(r) > best) best = Math.abs(r);
  }
  return best;
}

/**
 * @param x training series (detrended), NaN where no step
 * @param y thermal series (detrended), NaN where missing
 * @param dt sampling step, s; @param maxLagS largest lag, s; @param shifts permutations (≥ 1000 advised)
 */
export function laggedCorrelation(x: Float64Array, y: Float64Array, dt: number, maxLagS: number, shifts: number, seed: number): XcorrResult {
  const n = x.length;
  const K = Math.max(0, Math.min(Math.round(maxLagS / dt), Math.floor(n / 4)));
  const lags_s: number[] = [], r: (number | null)[] = [];
  let best = -1, bestK = 0, bestN = 0;
  for (let k = -K; k <= K; k++) {
    const [v, c] = corrAt(x, y, k, 0);
    lags_s.push(Math.round(k * dt * 1000) / 1000);
    r.push(Number.isFinite(v) ? v : null);
    if (Number.isFinite(v) && Math.abs(v) > best) {
      best = Math.abs(v);
      bestK = k;
      bestN = c;
    }
  }
  if (best < 0) return { lags_s, r, peak_lag_s: null, peak_r: null, p_value: null, n: 0 };
  let p: number | null = null;
  if (shifts > 0) {
    const rand = mulberry32(seed);
    // NaN (no step in the interval) is 0 for the transform — the series is detrended, so about its mean — and NaN again after.
    const re = Float64Array.from(x, (v) => (Number.isFinite(v) ? v : 0));
    const im = new Float64Array(n);
    dft(re, im);
    const spectrum = { re, im };
    let ge = 0;
    for (let s = 0; s < shifts; s++) {
      const sx = surrogate(spectrum, rand);
      for (let i = 0; i < n; i++) if (!Number.isFinite(x[i]!)) sx[i] = NaN;
      if (peak(sx, y, K, 0) >= best - 1e-12) ge++;
    }
    p = (1 + ge) / (1 + shifts);
  }
  return { lags_s, r, peak_lag_s: lags_s[bestK + K]!, peak_r: r[bestK + K]!, p_value: p, n: bestN };
}
