/** Order statistics: the median of finite values, and quantiles of sorted ones. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median, quantileSorted } from '../../../src/analysis/throttle/stats.js';
import { gauss, rng } from '../../helpers.js';

describe('median', () => {
  it('odd and even counts, negatives, repeats; NaN when empty', () => {
    assert.equal(median([3, -1, 2]), 2);
    assert.equal(median([4, -1, 2, 10]), 3);
    assert.equal(median([-5, -5, -7, 0]), -5);
    assert.equal(median([0.17]), 0.17);
    assert.ok(Number.isNaN(median([])));
  });
  it('equals the middle of a comparator sort on random values, and leaves its input alone', () => {
    const u = rng(51);
    for (const n of [1, 2, 3, 10, 1001, 50_000]) {
      const x = Array.from({ length: n }, () => (u() < 0.1 ? Math.round(gauss(u)) : gauss(u) * 10 ** Math.floor(u() * 6 - 3)));
      const copy = [...x];
      const s = [...x].sort((a, b) => a - b), m = n >> 1;
      // === : a typed sort puts −0 before 0, a comparator keeps their order; the same number.
      assert.ok(median(x) === (n % 2 ? s[m] : (s[m - 1]! + s[m]!) / 2), `n ${n}`);
      assert.deepEqual(x, copy);
    }
  });
  it('quantiles interpolate between order statistics', () => {
    assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantileSorted([1, 2, 3, 4], 0), 1);
    assert.equal(quantileSorted([1, 2, 3, 4], 1), 4);
  });
});
