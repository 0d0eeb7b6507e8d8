/** The seeded generator, and its integer form: the same stream, call after call. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32, mulberry32Bits } from '../../src/core/random.js';

describe('mulberry32', () => {
  it('is uniform in [0, 1) and repeats with its seed', () => {
    const a = mulberry32(5), b = mulberry32(5);
    const x = Array.from({ length: 10_000 }, () => a());
    assert.deepEqual(x.slice(0, 5), Array.from({ length: 5 }, () => b()));
    assert.ok(x.every((v) => v >= 0 && v < 1));
    assert.ok(Math.abs(x.reduce((s, v) => s + v, 0) / x.length - 0.5) < 0.01);
  });
  for (const bits of [1, 14, 32]) {
    it(`as ${bits}-bit integers: ⌊u · 2^${bits}⌋ of the same stream, across calls and offsets`, () => {
      for (const seed of [0, 1, 0x7fffffff, 0xffffffff, -3]) {
        const u = mulberry32(seed), fill = mulberry32Bits(seed, bits);
        const out = new Int32Array(1000).fill(-1);
        fill(out, 3, 400);
        fill(out, 400, 1000);
        fill(out, 0, 3);
        const want = [...Array.from({ length: 997 }, () => Math.floor(u() * 2 ** bits)), ...Array.from({ length: 3 }, () => Math.floor(u() * 2 ** bits))];
        const got = [...out.subarray(3), ...out.subarray(0, 3)].map((v) => (bits === 32 ? v >>> 0 : v));
        assert.deepEqual(got, want, `seed ${seed}`);
      }
    });
  }
  it('resampleSum is the sum of values[⌊u·m⌋] over the next m uniforms, and the stream goes on from there', () => {
    const values = Float64Array.from({ length: 1001 }, (_, i) => Math.sin(i) * 1e3);
    const a = mulberry32(9), b = mulberry32(9);
    for (let draw = 0; draw < 5; draw++) {
      let want = 0;
      for (let i = 0; i < values.length; i++) want += values[Math.floor(b() * values.length)]!;
      assert.equal(a.resampleSum(values), want, `draw ${draw}`);
      assert.equal(a(), b());
    }
    assert.equal(a.resampleSum([]), 0);
    assert.equal(a(), b());
  });
});
