/**
 * The throttle tax's bootstrap draws (resample.ts) against resampling done the long way: the
 * order-statistic median has the same distribution as the median of a resample (two-sample
 * Kolmogorov–Smirnov at α = 0.001, odd and even n, ties, a skewed tail), and the normal sum past
 * SUM_EXACT_MAX has the resampled sum's mean and spread.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../../src/core/random.js';
import { beta, bootstrapMedian, bootstrapSum, SUM_EXACT_MAX } from '../../../src/analysis/throttle/resample.js';
import { median } from '../../../src/analysis/throttle/stats.js';

/** Step-time-like values: 0.17 s with noise, ties from 1 ms rounding, a slow tail. */
function steps(n: number, seed: number): number[] {
  const u = mulberry32(seed);
  return Array.from({ length: n }, () => Math.round((0.17 + 0.01 * (u() - 0.5) + (u() < 0.05 ? 0.3 * u() : 0)) * 1000) / 1000);
}

function ks(a: Float64Array, b: Float64Array): number {
  a.sort();
  b.sort();
  let i = 0, j = 0, d = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i]!, b[j]!);
    while (i < a.length && a[i]! <= x) i++;
    while (j < b.length && b[j]! <= x) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return d;
}

function moments(x: Float64Array): [number, number] {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  return [mean, Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / (x.length - 1))];
}

const DRAWS = 4000;
const KS_001 = 1.95 * Math.sqrt(2 / DRAWS); // two-sample critical value at α = 0.001

describe('bootstrap median by order statistics', () => {
  for (const n of [9, 10, 201, 1000]) {
    it(`n ${n}: the same distribution as the median of a resample`, (t) => {
      const x = steps(n, n);
      const sorted = Float64Array.from(x).sort();
      const ru = mulberry32(1), rs = mulberry32(2);
      const fast = Float64Array.from({ length: DRAWS }, () => bootstrapMedian(sorted, ru));
      const slow = Float64Array.from({ length: DRAWS }, () => median(Array.from({ length: n }, () => x[Math.floor(rs() * n)]!)));
      const d = ks(fast, slow);
      t.diagnostic(`KS D ${d.toFixed(4)} (critical ${KS_001.toFixed(4)})`);
      assert.ok(d < KS_001, `D ${d}`);
    });
  }
  it('Beta(a, b) has mean a/(a + b) and the order statistic stays in range', () => {
    const r = mulberry32(3);
    const a = 250_000, b = 250_001;
    let s = 0;
    for (let i = 0; i < 2000; i++) s += beta(a, b, r);
    assert.ok(Math.abs(s / 2000 - a / (a + b)) < 1e-4, `${s / 2000}`);
    assert.equal(bootstrapMedian(Float64Array.of(5), r), 5);
    for (let i = 0; i < 100; i++) assert.ok([1, 1.5, 2].includes(bootstrapMedian(Float64Array.of(1, 2), r)));
  });
});

describe('bootstrap sum', () => {
  it(`past ${SUM_EXACT_MAX} values: normal, with the resampled sum's mean and sd`, (t) => {
    const m = SUM_EXACT_MAX + 10_000;
    const x = steps(m, 7);
    const fast = Float64Array.from({ length: DRAWS }, bootstrapSum(x, mulberry32(4)));
    const r = mulberry32(5);
    const slow = Float64Array.from({ length: 400 }, () => {
      let s = 0;
      for (let i = 0; i < m; i++) s += x[Math.floor(r() * m)]!;
      return s;
    });
    const [mf, sf] = moments(fast), [ms, ss] = moments(slow);
    t.diagnostic(`mean ${mf.toFixed(3)} vs ${ms.toFixed(3)}, sd ${sf.toFixed(4)} vs ${ss.toFixed(4)}`);
    // Monte Carlo error of 400 draws: mean ± sd/20, sd ± 3.5 %.
    assert.ok(Math.abs(mf - ms) < 0.2 * ss, `means ${mf} ${ms}`);
    assert.ok(Math.abs(sf / ss - 1) < 0.15, `sds ${sf} ${ss}`);
  });
  it('up to the limit: resampled value by value', () => {
    const x = [1, 2, 3];
    const draw = bootstrapSum(x, mulberry32(6));
    for (let i = 0; i < 50; i++) {
      const s = draw();
      assert.ok(Number.isInteger(s) && s >= 3 && s <= 9, `${s}`);
    }
  });
});
