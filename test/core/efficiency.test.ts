import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEVICE_CURVE } from '../../src/core/constants.js';
import { expectedRle, populationSd, rleNorm, tSustainS } from '../../src/core/efficiency.js';

describe('efficiency formula pieces', () => {
  it('population sd is 0 for fewer than 2 values and matches the textbook value', () => {
    assert.equal(populationSd([5], 1), 0);
    assert.equal(populationSd([2, 4, 4, 4, 5, 5, 7, 9], 8), 2);
  });
  it('t_sustain clamps to [1, max] and floors the heating rate at 0.001 °C/s', () => {
    assert.equal(tSustainS(60, 60, 1, 85, 600), 600); // flat: 25 / 0.001 → capped
    assert.equal(tSustainS(60, 61, 1, 85, 600), 24);
    assert.equal(tSustainS(60, 90, 1, 85, 600), 1); // past the limit
    assert.equal(tSustainS(60, 61, 0.5, 85, 600), 12); // 2 °C/s at 2 Hz
  });
  it('the device curve is continuous at the knee and ends at b/2', () => {
    for (const c of Object.values(DEVICE_CURVE)) {
      assert.ok(Math.abs(expectedRle(c.knee, c) - c.optimum) < 1e-12);
      assert.ok(Math.abs(expectedRle(100, c) - c.baseline / 2) < 1e-12);
      assert.equal(expectedRle(0, c), c.baseline);
    }
  });
  it('rle_norm is clamped to [0, 1]', () => {
    assert.equal(rleNorm(100, 50, DEVICE_CURVE.cpu), 1);
    assert.equal(rleNorm(-1, 50, DEVICE_CURVE.cpu), 0);
  });
});
