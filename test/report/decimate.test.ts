/** Min/max decimation for the figure: every pixel column keeps its extremes, the series its ends, and the thinning is linear in the samples. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maxPerBucket, minMaxRows } from '../../src/report/decimate.js';
import { gauss, rng } from '../helpers.js';

/** Index of the bucket of time t, as minMaxRows cuts them. */
const bucketOf = (t: number, [t0, t1]: [number, number], buckets: number): number => Math.floor((t - t0) / ((t1 - t0) / buckets));

describe('min/max decimation', () => {
  const u = rng(17);
  const n = 86_400, B = 1100;
  const t = Float64Array.from({ length: n }, (_, i) => 1e9 + i + 0.2 * u());
  // Noise with one-sample spikes and dips and a stretch of missing values.
  const a = Array.from({ length: n }, (_, i) => (i >= 40_000 && i < 40_500 ? null : 50 + gauss(u) + (u() < 0.001 ? 40 : 0) - (u() < 0.001 ? 30 : 0)));
  const b = Array.from({ length: n }, (_, i) => Math.sin(i / 5000) + 0.01 * gauss(u));
  const range: [number, number] = [t[0]!, t[n - 1]!];
  const rows = minMaxRows(t, { a, b }, range, B);

  it('keeps at most two rows per pixel column and the two ends', () => {
    assert.ok(rows.length <= 2 * (B + 1) + 2, `${rows.length} rows`);
    assert.ok(rows.length >= 2 * B, `${rows.length} rows`);
  });
  it('keeps the first and last sample as they are', () => {
    assert.deepEqual(rows[0], { s: 0, a: a[0], b: b[0] });
    assert.deepEqual(rows.at(-1), { s: t[n - 1]! - t[0]!, a: a[n - 1], b: b[n - 1] });
  });
  it('every pixel column draws exactly the range of the full series there: its min and max, spikes included', () => {
    for (const [field, col] of [['a', a], ['b', b]] as const) {
      const want = new Map<number, [number, number]>();
      col.forEach((v, i) => {
        if (v === null) return;
        const k = bucketOf(t[i]!, range, B), m = want.get(k);
        want.set(k, m ? [Math.min(m[0], v), Math.max(m[1], v)] : [v, v]);
      });
      const got = new Map<number, [number, number]>();
      for (const r of rows) {
        const v = r[field];
        if (v === null || v === undefined) continue;
        const k = bucketOf(r.s! + t[0]!, range, B), m = got.get(k);
        got.set(k, m ? [Math.min(m[0], v), Math.max(m[1], v)] : [v, v]);
      }
      assert.equal(got.size, want.size, field);
      for (const [k, [lo, hi]] of want) assert.deepEqual(got.get(k), [lo, hi], `${field}, column ${k}`);
    }
    // The spikes: the series' own extremes survive.
    assert.equal(Math.max(...rows.map((r) => r.a ?? -Infinity)), Math.max(...a.map((v) => v ?? -Infinity)));
    assert.equal(Math.min(...rows.map((r) => r.a ?? Infinity)), Math.min(...a.map((v) => v ?? Infinity)));
  });
  it('a column with no value is null there (the line breaks); rows are in time order', () => {
    // Columns wholly inside the missing stretch (samples 40,000–40,499) have a null, and only they.
    const gap = rows.filter((r) => r.a === null);
    assert.ok(gap.length >= 8, `${gap.length} rows without a`);
    assert.ok(gap.every((r) => r.s! > 40_000 && r.s! < 40_500 && r.b !== null));
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i]!.s! >= rows[i - 1]!.s!);
  });
  it('a series that fits is drawn as it is', () => {
    const short = minMaxRows([5, 6, 7], { a: [1, null, NaN] }, [5, 7], B);
    assert.deepEqual(short, [{ s: 0, a: 1 }, { s: 1, a: null }, { s: 2, a: null }]);
  });
  it('is linear in the samples: 10× the samples cost about 10× the time, not 100×', () => {
    const cost = (m: number): number => {
      const tt = Float64Array.from({ length: m }, (_, i) => i), v = Float64Array.from({ length: m }, () => u());
      const c0 = process.cpuUsage();
      for (let r = 0; r < 3; r++) minMaxRows(tt, { v }, [0, m - 1], B);
      const c = process.cpuUsage(c0);
      return (c.user + c.system) / 1000;
    };
    cost(50_000);
    const small = Math.min(cost(50_000), cost(50_000)), large = cost(500_000);
    assert.ok(large < 40 * Math.max(small, 5), `${small.toFixed(1)} ms → ${large.toFixed(1)} ms`);
  });
});

describe('markers per pixel column', () => {
  it('keeps the largest marker of each column and drops none of the columns', () => {
    const t = [0, 0.1, 0.2, 5, 5.1, 9.9, 10];
    const v = [1, 3, 2, 7, 4, 1, 2];
    assert.deepEqual(maxPerBucket(t, v, [0, 10], 2), [{ s: 0.1, v: 3 }, { s: 5, v: 7 }, { s: 10, v: 2 }]);
    assert.deepEqual(maxPerBucket([1, 2], [4, 5], [0, 10], 2), [{ s: 1, v: 4 }, { s: 2, v: 5 }]);
  });
});
