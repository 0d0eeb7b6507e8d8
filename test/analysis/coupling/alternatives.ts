/**
 * The ways to reduce a series to its fluctuations that were measured against the chosen one
 * (local linear detrend + own-AR prewhitening, `fluctuations` in coupling.ts) in the
 * calibration sweep. Not used by rle itself.
 */
import { fluctuations, type Transform } from '../../../src/analysis/coupling/coupling.js';
import { localDetrend, localScale } from '../../../src/analysis/coupling/detrend.js';
import { prewhiten } from '../../../src/analysis/coupling/prewhiten.js';

/** The earlier method: minus the least-squares line of the whole run. */
export function linearDetrend(x: ArrayLike<number>): Float64Array {
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

/** First differences (NaN where either value is missing). */
export function difference(x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length).fill(NaN);
  for (let i = 1; i < x.length; i++) out[i] = x[i]! - x[i - 1]!;
  return out.map((v) => (Number.isFinite(v) ? v : NaN));
}

export const TRANSFORMS: Record<string, Transform> = {
  'linear detrend (earlier)': (x) => ({ values: linearDetrend(x), order: 0 }),
  'linear detrend + AR': (x, _h, p) => prewhiten(linearDetrend(x), p),
  'first difference': (x) => ({ values: difference(x), order: 0 }),
  'first difference + AR': (x, _h, p) => prewhiten(difference(x), p),
  'local linear detrend': (x, h) => ({ values: localDetrend(x, h), order: 0 }),
  'local linear detrend + AR': (x, h, p) => prewhiten(localDetrend(x, h), p),
  'local linear detrend + AR + local scale': (x, h, p) => {
    const w = prewhiten(localDetrend(x, h), p);
    return { values: localScale(w.values, h), order: w.order };
  },
  'first difference + local scale + AR': (x, h, p) => prewhiten(localScale(difference(x), h), p),
  'local linear detrend + local scale + AR (chosen)': fluctuations,
};
