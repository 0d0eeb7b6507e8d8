/** The transforms at every length the coupling uses (2^a, 3·2^a, 5·2^a), against the direct sum, and the lengths chosen. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dft, transformLength } from '../../../src/analysis/coupling/fft.js';
import { gauss, rng } from '../../helpers.js';

/** X_k = Σ_j x_j e^{∓2πijk/n}, the angle reduced mod n first (exact for any n). */
function direct(re: Float64Array, im: Float64Array, inverse: boolean): [Float64Array, Float64Array] {
  const n = re.length, sg = inverse ? 1 : -1;
  const xr = new Float64Array(n), xi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const a = (sg * 2 * Math.PI * ((j * k) % n)) / n, c = Math.cos(a), s = Math.sin(a);
      xr[k] = xr[k]! + re[j]! * c - im[j]! * s;
      xi[k] = xi[k]! + re[j]! * s + im[j]! * c;
    }
  }
  return [xr, xi];
}

describe('Fourier transform at 2^a, 3·2^a and 5·2^a points', () => {
  const u = rng(61);
  it('equals the direct sum, forward and inverse, on complex data (relative to √n·max|x|: 1e-12)', () => {
    for (const n of [2, 3, 4, 5, 6, 10, 12, 20, 24, 40, 48, 96, 160, 384, 640, 1536, 2560]) {
      const re = Float64Array.from({ length: n }, () => gauss(u)), im = Float64Array.from({ length: n }, () => gauss(u));
      for (const inverse of [false, true]) {
        const [wr, wi] = direct(re, im, inverse);
        const gr = Float64Array.from(re), gi = Float64Array.from(im);
        dft(gr, gi, inverse);
        let e = 0;
        for (let k = 0; k < n; k++) e = Math.max(e, Math.abs(gr[k]! - wr[k]!), Math.abs(gi[k]! - wi[k]!));
        assert.ok(e / Math.sqrt(n) < 1e-12 * 5, `n ${n}${inverse ? ' inverse' : ''}: error ${e}`);
      }
    }
  });
  it('round-trips at a day of 1 Hz samples (81,920 = 5·2¹⁴ points) and at 3·2¹⁵', () => {
    for (const n of [81_920, 98_304]) {
      const x = Float64Array.from({ length: n }, () => gauss(u));
      const re = Float64Array.from(x), im = new Float64Array(n);
      dft(re, im);
      // Real input: a Hermitian spectrum.
      for (const k of [1, 7, Math.floor(n / 5) + 3, n / 2 - 1]) assert.ok(Math.abs(re[k]! - re[n - k]!) < 1e-9 && Math.abs(im[k]! + im[n - k]!) < 1e-9, `n ${n} k ${k}`);
      dft(re, im, true);
      let e = 0;
      for (let j = 0; j < n; j++) e = Math.max(e, Math.abs(re[j]! / n - x[j]!), Math.abs(im[j]! / n));
      assert.ok(e < 1e-12, `n ${n}: ${e}`);
    }
  });
  it('refuses other lengths', () => {
    for (const n of [7, 9, 14, 15, 25, 100]) assert.throws(() => dft(new Float64Array(n), new Float64Array(n)), /not 2\^a, 3·2\^a or 5·2\^a/, String(n));
  });
});

describe('transform length', () => {
  it('is the shortest even 2^a, 3·2^a or 5·2^a that holds n: never more than 4/3 of n from 5 on', () => {
    const ok = (m: number): boolean => m % 2 === 0 && [1, 3, 5].some((p) => m % p === 0 && ((m / p) & (m / p - 1)) === 0);
    for (let n = 1; n <= 5000; n++) {
      const m = transformLength(n);
      assert.ok(m >= n && ok(m), `n ${n}: ${m}`);
      for (let s = Math.max(2, n); s < m; s++) assert.ok(!ok(s), `n ${n}: ${s} < ${m} would do`);
      if (n >= 5) assert.ok(m <= (4 / 3) * n, `n ${n}: ${m}`);
    }
    // The bench day: 77,516 analysed samples and ±10 lags.
    assert.equal(transformLength(77_516 + 10 + 1), 81_920);
  });
});
