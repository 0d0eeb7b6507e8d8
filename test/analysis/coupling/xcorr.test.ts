/** Cross-sums over lags: by transform (LagGrid.crossSums) and directly (lagSums), each against the plain O(n · lags) double loop. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LagGrid, lagSums, useLagSums } from '../../../src/analysis/coupling/xcorr.js';
import { gauss, rng } from '../../helpers.js';

/** Σ_i x_i y_{i+k} over the pairs inside [0, n), k = −K…K: the definition. */
function naive(x: Float64Array, y: Float64Array, K: number): Float64Array {
  const n = x.length, out = new Float64Array(2 * K + 1);
  for (let k = -K; k <= K; k++) for (let i = 0; i < n; i++) if (i + k >= 0 && i + k < n) out[k + K] = out[k + K]! + x[i]! * y[i + k]!;
  return out;
}

/** Largest |a − b| relative to the scale of the sums (Σ|x_i y_j| ~ n). */
function maxRelErr(a: Float64Array, b: Float64Array, scale: number): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!) / scale);
  return e;
}

// Sizes around the transform's power-of-two steps, and lag counts that are and are not multiples of four.
const CASES: [number, number][] = [[1, 0], [2, 1], [5, 3], [7, 7], [64, 4], [100, 10], [257, 13], [1000, 10], [4093, 50], [20_000, 10]];

describe('cross-sums over lags', () => {
  const u = rng(21);
  const series = (n: number): Float64Array => Float64Array.from({ length: n }, () => (u() < 0.1 ? 0 : 3 + gauss(u)));
  it('by transform equal the direct double loop to 1e-9', () => {
    for (const [n, K] of CASES) {
      const g = new LagGrid(n, K), x = series(n), y = series(n);
      const [got] = g.crossSums(g.spectrum(x), g.spectrum(y));
      const e = maxRelErr(got, naive(x, y, K), n);
      assert.ok(e < 1e-9, `n ${n}, K ${K}: relative error ${e}`);
    }
  });
  it('two pairs in one transform equal each alone', () => {
    const n = 3000, K = 10, g = new LagGrid(n, K);
    const [a, b, c, d] = [series(n), series(n), series(n), series(n)];
    const [ab, cd] = g.crossSums(g.spectrum(a), g.spectrum(b), g.spectrum(c), g.spectrum(d));
    assert.ok(maxRelErr(ab, naive(a, b, K), n) < 1e-9 && maxRelErr(cd!, naive(c, d, K), n) < 1e-9);
  });
  it('directly (lagSums, four lags a pass) equal the double loop to 1e-9, with K beyond the series too', () => {
    for (const [n, K] of [...CASES, [3, 9], [6, 10]] as [number, number][]) {
      const x = series(n), y = series(n);
      const e = maxRelErr(lagSums(x, y, K), naive(x, y, K), n);
      assert.ok(e < 1e-9, `n ${n}, K ${K}: relative error ${e}`);
    }
  });
  it('into a given buffer, overwriting what was there', () => {
    const x = series(50), y = series(50), out = new Float64Array(9).fill(7);
    assert.equal(lagSums(x, y, 4, out), out);
    assert.ok(maxRelErr(out, naive(x, y, 4), 50) < 1e-12);
  });
  it('the direct sums are chosen where they cost fewer operations than a transform: a day at 1 Hz with ±10 lags, not ±100', () => {
    const N = new LagGrid(77_516, 10).N;
    assert.equal(N, 81_920);
    assert.equal(useLagSums(77_516, 10, N), true);
    assert.equal(useLagSums(77_516, 100, N), false);
  });
});
