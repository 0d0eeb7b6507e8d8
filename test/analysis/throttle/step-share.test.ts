/** Per-step throttled shares by binary search over merged spans: the same numbers as throttledShareOf span by span, and linear-logarithmic in the steps. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { THROTTLE_DEFAULTS as O } from '../../../src/analysis/throttle/constants.js';
import { throttledShareOf, type Span } from '../../../src/analysis/throttle/intervals.js';
import { stepThrottleShares } from '../../../src/analysis/throttle/step-share.js';
import { rng } from '../../helpers.js';

/** Random, overlapping, unsorted spans over [0, T), some of zero length. */
function spans(u: () => number, m: number, T: number, len: number): Span[] {
  return Array.from({ length: m }, () => {
    const start = Math.floor(u() * T * 4) / 4;
    return { start, end: start + (u() < 0.1 ? 0 : Math.floor(u() * len * 4) / 4) };
  });
}

describe('step throttle shares', () => {
  it('equal throttledShareOf to the bit: steps across, inside, at the edges of and between spans, zero-length steps', () => {
    const u = rng(41);
    for (let trial = 0; trial < 20; trial++) {
      const T = 200;
      const dev = { intervals: spans(u, 15, T, 12), known: spans(u, 6, T, 80) };
      const steps = Array.from({ length: 300 }, () => {
        const start = Math.floor(u() * T * 4) / 4;
        return { start: u() < 0.05 ? null : start, end: start + (u() < 0.1 ? 0 : Math.floor(u() * 16) / 4) };
      });
      const want = steps.map((s) => (s.start === null || 1 - throttledShareOf(dev.known, s.start, s.end) > O.maxUnknownShare ? null : throttledShareOf(dev.intervals, s.start, s.end)));
      assert.deepEqual(stepThrottleShares(steps, dev, O), want, `trial ${trial}`);
    }
  });
  it('500,000 steps over a day of 1 Hz spans take well under a second', () => {
    const known = Array.from({ length: 86_400 }, (_, i) => ({ start: i, end: i + 1 }));
    const intervals = known.filter((_, i) => i % 100 < 30);
    const steps = Array.from({ length: 500_000 }, (_, i) => ({ start: i * 0.17, end: (i + 1) * 0.17 }));
    const t0 = performance.now();
    const shares = stepThrottleShares(steps, { intervals, known }, O);
    const ms = performance.now() - t0;
    assert.ok(ms < 3000, `${ms.toFixed(0)} ms`);
    assert.equal(shares.length, steps.length);
    assert.ok(Math.abs(shares.reduce<number>((a, s) => a + (s ?? 0), 0) / shares.length - 0.3) < 0.01);
  });
});
