/**
 * Local linear detrending: each value minus the least-squares line through the finite values
 * within ±h samples of it (a boxcar-weighted local regression, LOESS of degree 1 without the
 * tricube). A straight line is removed exactly, and curvature leaves a residual of about
 * c·h²/6 for a trend of second derivative c — so a warm-up curve or a decaying loss whose
 * time constant is several times h is followed, while fluctuations faster than about h pass.
 * Near the ends the window is one-sided and the line still fits (a local mean would not).
 * O(n) with prefix sums. NaN stays NaN; a value with fewer than 3 finite neighbours is NaN.
 */
export function localDetrend(x: ArrayLike<number>, h: number): Float64Array {
  const n = x.length;
  const c = (n - 1) / 2; // centred index keeps the sums small
  const S0 = new Float64Array(n + 1), S1 = new Float64Array(n + 1), S2 = new Float64Array(n + 1);
  const SX = new Float64Array(n + 1), SJX = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const v = x[i]!, j = i - c, ok = Number.isFinite(v);
    S0[i + 1] = S0[i]! + (ok ? 1 : 0);
    S1[i + 1] = S1[i]! + (ok ? j : 0);
    S2[i + 1] = S2[i]! + (ok ? j * j : 0);
    SX[i + 1] = SX[i]! + (ok ? v : 0);
    SJX[i + 1] = SJX[i]! + (ok ? j * v : 0);
  }
  const out = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i]!)) continue;
    const lo = Math.max(0, i - h), hi = Math.min(n, i + h + 1);
    const s0 = S0[hi]! - S0[lo]!;
    if (s0 < 3) continue;
    const s1 = S1[hi]! - S1[lo]!, s2 = S2[hi]! - S2[lo]!, sx = SX[hi]! - SX[lo]!, sjx = SJX[hi]! - SJX[lo]!;
    const mj = s1 / s0, mx = sx / s0;
    const vj = s2 - s1 * mj;
    const slope = vj > 1e-9 ? (sjx - s1 * mx) / vj : 0;
    out[i] = x[i]! - (mx + slope * (i - c - mj));
  }
  return out;
}

/**
 * Each value divided by the root mean square of the finite values within ±h of it: fluctuations
 * whose size changes over the run (loss noise shrinks with the loss; telemetry is quieter idle
 * than under load) become of one size, which the surrogates — stationary by construction —
 * assume. O(n) with prefix sums; NaN stays NaN.
 */
export function localScale(x: ArrayLike<number>, h: number): Float64Array {
  const n = x.length;
  const S0 = new Float64Array(n + 1), S2 = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const v = x[i]!, ok = Number.isFinite(v);
    S0[i + 1] = S0[i]! + (ok ? 1 : 0);
    S2[i + 1] = S2[i]! + (ok ? v * v : 0);
  }
  const out = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i]!)) continue;
    const lo = Math.max(0, i - h), hi = Math.min(n, i + h + 1);
    const ms = (S2[hi]! - S2[lo]!) / (S0[hi]! - S0[lo]!);
    if (ms > 0) out[i] = x[i]! / Math.sqrt(ms);
  }
  return out;
}
