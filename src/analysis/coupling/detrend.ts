/**
 * Linear detrending: each series minus its least-squares line against time (sample index),
 * fitted on its finite values. Training loss falls and a machine warms up over a run; without
 * this, any two such series correlate by construction. NaN stays NaN.
 */
export function detrend(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  let sw = 0, si = 0, sx = 0, sii = 0, six = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) continue;
    sw++;
    si += i;
    sx += v;
    sii += i * i;
    six += i * v;
  }
  const out = new Float64Array(n).fill(NaN);
  if (sw === 0) return out;
  const den = sw * sii - si * si;
  const slope = den > 0 ? (sw * six - si * sx) / den : 0;
  const icpt = (sx - slope * si) / sw;
  for (let i = 0; i < n; i++) if (Number.isFinite(x[i]!)) out[i] = x[i]! - (icpt + slope * i);
  return out;
}
