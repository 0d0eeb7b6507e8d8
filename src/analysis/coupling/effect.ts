/**
 * A 95 % interval for a correlation: Fisher's z, tanh(atanh r ± z/√(n_eff − 3)), with the
 * effective sample size of Bartlett (1935): n_eff = n / (1 + 2 Σ_{j≥1} ρx(j) ρy(j)), the
 * autocorrelations of the two (transformed) series up to lag J = min(n/4, 50). After
 * prewhitening both ρ are near 0 beyond lag 0 and n_eff ≈ n; the correction matters when the
 * whitening is incomplete. n_eff is capped at n.
 * The reported r is the largest of 2K + 1 lags, so the interval is simultaneous over them
 * (Bonferroni: z at 1 − 0.025/(2K + 1), 3.04 for 21 lags): a pointwise 1.96 interval around the
 * peak excluded 0 on the seed training run for pairs whose lag-corrected p was 0.6.
 */
import { autocovariance } from './prewhiten.js';

export interface Effect {
  ci95: [number, number] | null;
  n_eff: number | null;
}

/** The largest lag of Bartlett's sum. */
export const EFFECTIVE_N_MAX_LAG = 50;

/** Autocorrelations ρ(0…J). */
export function acf(x: ArrayLike<number>, J: number): Float64Array {
  const { gamma } = autocovariance(x, J);
  const g0 = gamma[0]!;
  return gamma.map((g) => (g0 > 0 ? g / g0 : 0));
}

/**
 * @param x a series, or its autocorrelations up to lag EFFECTIVE_N_MAX_LAG (acf): a series
 *   paired with several others needs them once
 */
export function effectiveN(x: ArrayLike<number> | { acf: Float64Array }, y: ArrayLike<number> | { acf: Float64Array }, n: number): number {
  const J = Math.min(Math.floor(n / 4), EFFECTIVE_N_MAX_LAG);
  const ax = 'acf' in x ? x.acf : acf(x, J), ay = 'acf' in y ? y.acf : acf(y, J);
  let s = 0;
  for (let j = 1; j <= J; j++) s += ax[j]! * ay[j]!;
  const d = 1 + 2 * s;
  return d > 1 ? n / d : n;
}

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.928510446969, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number): number => (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5, r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** The 95 % interval of r, simultaneous over `lags` lags. */
export function fisherInterval(r: number, nEff: number, lags = 1): [number, number] | null {
  if (!Number.isFinite(r) || !(nEff > 3)) return null;
  const z = Math.atanh(Math.max(-0.999999, Math.min(0.999999, r))), h = normalQuantile(1 - 0.025 / lags) / Math.sqrt(nEff - 3);
  return [Math.tanh(z - h), Math.tanh(z + h)];
}
