/**
 * The surrogate test's two ways to a surrogate's cross-sums — directly, or by transforms — draw
 * the same surrogates and so give the same p-values and draw counts: the calibration of one
 * (calibration.test.ts runs its small sessions through the transforms) holds for the other.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lagCorrelationTests, type PairRequest } from '../../../src/analysis/coupling/surrogate-test.js';
import { gauss, rng } from '../../helpers.js';

const STOP = { exceedances: 10, clearAfter: 250 };

function ar1(u: () => number, n: number, phi: number, missing = 0): number[] {
  const x: number[] = [];
  let v = 0;
  for (let i = 0; i < n; i++) {
    v = phi * v + gauss(u);
    x.push(u() < missing ? NaN : v);
  }
  return x;
}

describe('surrogate tests, direct and transformed cross-sums', () => {
  for (const missing of [0, 0.05]) {
    it(`give the same p-values and draws, two training series and eight pairs (${missing * 100} % missing)`, (t) => {
      const u = rng(31 + missing * 100);
      const n = 700, K = 10;
      const xs = [ar1(u, n, 0.4, missing), ar1(u, n, 0.2, missing)];
      // Nulls of several strengths, and two linked pairs, so that the pairs stop at different draws.
      const pairs: PairRequest[] = [];
      for (const x of [0, 1]) {
        for (const link of [0, 0, 0.15, 0.4]) {
          const y = ar1(u, n, 0.5).map((v, i) => v + link * (xs[x]![i - 2] ?? 0) * (Number.isFinite(xs[x]![i - 2]!) ? 1 : 0));
          pairs.push({ x, y, maxDraws: x === 0 ? 1000 : 200 });
        }
      }
      const direct = lagCorrelationTests(xs, pairs, K, STOP, 5, 'direct');
      const transform = lagCorrelationTests(xs, pairs, K, STOP, 5, 'transform');
      t.diagnostic(`p: ${direct.map((r) => `${r.p_value?.toFixed(3)} (${r.draws})`).join(' ')}`);
      assert.deepEqual(direct.map((r) => [r.p_value, r.draws]), transform.map((r) => [r.p_value, r.draws]));
      assert.ok(new Set(direct.map((r) => r.draws)).size >= 3, 'pairs stopped at different draws');
      for (const [i, r] of direct.entries()) for (let k = 0; k < r.r.length; k++) assert.ok(Math.abs(r.r[k]! - transform[i]!.r[k]!) < 1e-12 || (Number.isNaN(r.r[k]!) && Number.isNaN(transform[i]!.r[k]!)));
    });
  }
  it('with no coupling, the direct sums give uniform p-values over 50 seeds (as the transformed ones do)', (t) => {
    const ps: number[] = [];
    for (let seed = 300; seed < 350; seed++) {
      const u = rng(seed);
      const n = 400;
      const r = lagCorrelationTests([ar1(u, n, 0.6)], [{ x: 0, y: ar1(u, n, 0.8), maxDraws: 1000 }], 10, STOP, seed, 'direct')[0]!;
      ps.push(r.p_value!);
    }
    const below = ps.filter((p) => p < 0.05).length;
    const mean = ps.reduce((a, b) => a + b, 0) / ps.length;
    t.diagnostic(`null p-values, direct sums: ${below} of 50 below 0.05, mean ${mean.toFixed(3)}`);
    assert.ok(below <= 5, `${below} of 50 below 0.05`);
    assert.ok(mean > 0.35 && mean < 0.65, `mean p ${mean}`);
  });
});
