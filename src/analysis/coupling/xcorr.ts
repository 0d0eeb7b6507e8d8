/**
 * Pearson correlation of x[i] with y[i + k] at every lag k = −K…K at once, over the pairs where
 * both are present, by FFT: O(N log N) per series with N = transformLength(n + K + 1) (≤ 4/3 of
 * it: 2^a, 3·2^a or 5·2^a), whatever K is.
 * Lag k (samples) pairs x[i] with y[i + k]: positive lag, x leads.
 *
 * Missing values: both series are zero where missing and the pair count c_k, Σy and Σy² are
 * cross-correlations of the masks with y (fixed per pair, computed once). Σx and Σx² over the
 * pairs of lag k are prefix sums of x over the overlap minus the x values facing a missing y
 * (O(missing y × lags)), so a surrogate x costs one forward transform and half an inverse per
 * pair (two pairs share one complex inverse: their cross-sums are real).
 * Zero-padding to N ≥ n + K keeps the circular correlation of the transforms free of wrap-around
 * at the lags used.
 */
import { dft, transformLength } from './fft.js';

export interface Spectrum {
  re: Float64Array;
  im: Float64Array;
}

/** A series on the analysis grid: `values` zero where missing, `mask` 1 where present. */
export interface Masked {
  values: Float64Array;
  mask: Uint8Array;
}

export function masked(x: ArrayLike<number>): Masked {
  const n = x.length;
  const values = new Float64Array(n), mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (Number.isFinite(x[i]!)) { values[i] = x[i]!; mask[i] = 1; }
  return { values, mask };
}

export function emptySpectrum(N: number): Spectrum {
  return { re: new Float64Array(N), im: new Float64Array(N) };
}

export class LagGrid {
  readonly N: number;
  /** Scratch for the transforms (the surrogate loop would otherwise allocate megabytes per draw). */
  private readonly wr: Float64Array;
  private readonly wi: Float64Array;
  constructor(readonly n: number, readonly K: number) {
    this.N = transformLength(n + K + 1);
    this.wr = new Float64Array(this.N);
    this.wi = new Float64Array(this.N);
  }

  /** Transform of a real series zero-padded to N. */
  spectrum(x: ArrayLike<number>, into?: Spectrum): Spectrum {
    const { re, im } = into ?? emptySpectrum(this.N);
    re.fill(0);
    im.fill(0);
    for (let i = 0; i < this.n; i++) re[i] = x[i]!;
    dft(re, im);
    return { re, im };
  }

  /** Transforms of two real series in one complex transform (z = a + ib). */
  spectra2(a: ArrayLike<number>, b: ArrayLike<number>, into?: [Spectrum, Spectrum]): [Spectrum, Spectrum] {
    const N = this.N;
    const zr = this.wr.fill(0), zi = this.wi.fill(0);
    for (let i = 0; i < this.n; i++) { zr[i] = a[i]!; zi[i] = b[i]!; }
    dft(zr, zi);
    const [A, B] = into ?? [emptySpectrum(N), emptySpectrum(N)];
    for (let f = 0; f < N; f++) {
      const g = f === 0 ? 0 : N - f;
      const pr = zr[f]!, pi = zi[f]!, qr = zr[g]!, qi = -zi[g]!; // Z_f and conj(Z_{N−f})
      A.re[f] = (pr + qr) / 2;
      A.im[f] = (pi + qi) / 2;
      B.re[f] = (pi - qi) / 2;
      B.im[f] = (qr - pr) / 2;
    }
    return [A, B];
  }

  /**
   * Cross-sums Σ_i a_i b_{i+k}, k = −K…K, for up to two (A, B) spectrum pairs at once:
   * the inverse of conj(A1)·B1 + i·conj(A2)·B2 has the first in its real part, the second in its imaginary part.
   */
  crossSums(p: Spectrum, q: Spectrum, p2?: Spectrum, q2?: Spectrum): [Float64Array, Float64Array | null] {
    const N = this.N, K = this.K;
    const re = this.wr, im = this.wi;
    for (let f = 0; f < N; f++) {
      const ar = p.re[f]!, ai = -p.im[f]!, br = q.re[f]!, bi = q.im[f]!;
      re[f] = ar * br - ai * bi;
      im[f] = ar * bi + ai * br;
    }
    if (p2 && q2) {
      for (let f = 0; f < N; f++) {
        const ar = p2.re[f]!, ai = -p2.im[f]!, br = q2.re[f]!, bi = q2.im[f]!;
        re[f] = re[f]! - (ar * bi + ai * br);
        im[f] = im[f]! + (ar * br - ai * bi);
      }
    }
    dft(re, im, true);
    const out1 = new Float64Array(2 * K + 1), out2 = p2 ? new Float64Array(2 * K + 1) : null;
    for (let k = -K; k <= K; k++) {
      const j = k >= 0 ? k : N + k;
      out1[k + K] = re[j]! / N;
      if (out2) out2[k + K] = im[j]! / N;
    }
    return [out1, out2];
  }
}

/** What a pair's lag sums need of y, fixed for a given x mask: counts, Σy, Σy² per lag, y's transform, where y is missing. */
export interface PairPlan {
  Y: Spectrum;
  c: Float64Array;
  sy: Float64Array;
  syy: Float64Array;
  yMissing: Int32Array;
  /** y, zero where missing. */
  yValues: Float64Array;
}

export function pairPlan(g: LagGrid, xMask: Uint8Array, y: Masked): PairPlan {
  const y2 = y.values.map((v) => v * v);
  const [Y, MY] = g.spectra2(y.values, y.mask);
  const [MX, Y2] = g.spectra2(xMask, y2);
  const [c, sy] = g.crossSums(MX, MY, MX, Y);
  const [syy] = g.crossSums(MX, Y2);
  for (let k = 0; k < c.length; k++) c[k] = Math.round(c[k]!);
  const miss: number[] = [];
  for (let i = 0; i < g.n; i++) if (!y.mask[i]) miss.push(i);
  return { Y, c, sy: sy!, syy, yMissing: Int32Array.from(miss), yValues: y.values };
}

/**
 * Σ_i x_i y_{i+k} over the pairs inside [0, n), k = −K…K, directly: (2K + 1)·n multiply-adds,
 * seven lags per pass over x with y's seven values held in locals and slid along (two loads
 * per seven multiply-adds; four lags per pass reloading y took 1.4–1.9 ms for 21 lags of
 * 77,516 pairs here, this 1.1 ms). For a surrogate that is cheaper than the transforms while
 * (2K + 1)·n ≤ LAG_SUMS_PER_TRANSFORM·N·log₂N (useLagSums). Equal to the transform's sums to
 * rounding (~1e-15 relative).
 */
export function lagSums(x: Float64Array, y: Float64Array, K: number, out = new Float64Array(2 * K + 1)): Float64Array {
  const n = x.length;
  let k = -K;
  for (; k + 6 <= K; k += 7) {
    // The range where all seven lags k…k+6 pair inside [0, n); each lag's own ends after.
    const lo = Math.max(0, -k), hi = Math.max(lo, Math.min(n, n - k - 6));
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0;
    if (hi > lo) {
      let j = lo + k;
      let y0 = y[j]!, y1 = y[j + 1]!, y2 = y[j + 2]!, y3 = y[j + 3]!, y4 = y[j + 4]!, y5 = y[j + 5]!;
      for (let i = lo; i < hi; i++, j++) {
        const v = x[i]!, y6 = y[j + 6]!;
        s0 += v * y0;
        s1 += v * y1;
        s2 += v * y2;
        s3 += v * y3;
        s4 += v * y4;
        s5 += v * y5;
        s6 += v * y6;
        y0 = y1;
        y1 = y2;
        y2 = y3;
        y3 = y4;
        y4 = y5;
        y5 = y6;
      }
    }
    const sums = [s0, s1, s2, s3, s4, s5, s6];
    for (let d = 0; d < 7; d++) {
      const kk = k + d, l2 = Math.max(0, -kk), h2 = Math.min(n, n - kk);
      let e = 0;
      for (let i = l2; i < Math.min(lo, h2); i++) e += x[i]! * y[i + kk]!;
      for (let i = Math.max(hi, l2); i < h2; i++) e += x[i]! * y[i + kk]!;
      out[kk + K] = sums[d]! + e;
    }
  }
  for (; k <= K; k++) {
    const lo = Math.max(0, -k), hi = Math.min(n, n - k);
    let s = 0;
    for (let i = lo; i < hi; i++) s += x[i]! * y[i + k]!;
    out[k + K] = s;
  }
  return out;
}

/**
 * Direct multiply-adds per N·log₂N that cost what one pair's share of the transforms does
 * (half a complex inverse transform and the spectrum products), measured here: 1.1 ms for
 * 1.63 M multiply-adds (0.67 ns each) against 3.1 ms a pair at N = 2¹⁷ (1.4 ns per N·log₂N)
 * and 2.1 ms at N = 5·2¹⁴ (1.6 ns): about 2.
 */
export const LAG_SUMS_PER_TRANSFORM = 2;

export function useLagSums(n: number, K: number, N: number): boolean {
  return (2 * K + 1) * n <= LAG_SUMS_PER_TRANSFORM * N * Math.log2(Math.max(2, N));
}

/** Prefix sums of x and x² (length n + 1), into `into` when given (a surrogate loop reuses its buffers: 1.2 MB a draw otherwise). */
export function prefixSums(x: Float64Array, into?: [Float64Array, Float64Array]): [Float64Array, Float64Array] {
  const n = x.length;
  const [p, q] = into ?? [new Float64Array(n + 1), new Float64Array(n + 1)];
  for (let i = 0; i < n; i++) { p[i + 1] = p[i]! + x[i]!; q[i + 1] = q[i]! + x[i]! * x[i]!; }
  return [p, q];
}

/**
 * Pearson r per lag from the cross-sums Σxy, x (zero where missing) with its prefix sums, and the
 * pair's plan. NaN where fewer than 3 pairs or a series does not vary over the pairs.
 */
export function lagPearson(sxy: Float64Array, x: Float64Array, px: [Float64Array, Float64Array], plan: PairPlan, K: number): Float64Array {
  const n = x.length;
  const [P, Q] = px;
  const r = new Float64Array(2 * K + 1);
  for (let k = -K; k <= K; k++) {
    const lo = Math.max(0, -k), hi = Math.min(n, n - k);
    let sx = P[hi]! - P[lo]!, sxx = Q[hi]! - Q[lo]!;
    for (const j of plan.yMissing) {
      const i = j - k;
      if (i >= lo && i < hi) { sx -= x[i]!; sxx -= x[i]! * x[i]!; }
    }
    const c = plan.c[k + K]!, sy = plan.sy[k + K]!, syy = plan.syy[k + K]!;
    const vx = sxx - (sx * sx) / c, vy = syy - (sy * sy) / c;
    r[k + K] = c < 3 || vx <= 1e-9 * Math.max(sxx, 1e-300) || vy <= 1e-9 * Math.max(syy, 1e-300) ? NaN : (sxy[k + K]! - (sx * sy) / c) / Math.sqrt(vx * vy);
  }
  return r;
}

/** Index of the largest |r| (−1 when none is finite). */
export function peakIndex(r: Float64Array): number {
  let best = -1, at = -1;
  for (let i = 0; i < r.length; i++) {
    const a = Math.abs(r[i]!);
    if (a > best) { best = a; at = i; }
  }
  return at;
}
