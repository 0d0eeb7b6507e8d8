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
  it('costs steps × log spans: 10× the steps and spans cost well under 100× the CPU (500,000 steps over a day of 1 Hz spans)', () => {
    const known = (n: number): Span[] => Array.from({ length: n }, (_, i) => ({ start: i, end: i + 1 }));
    const run = (spans: number, n: number): { ms: number; shares: (number | null)[] } => {
      const k = known(spans), intervals = k.filter((_, i) => i % 100 < 30);
      const steps = Array.from({ length: n }, (_, i) => ({ start: i * 0.17, end: (i + 1) * 0.17 }));
      const c0 = process.cpuUsage();
      const shares = stepThrottleShares(steps, { intervals, known: k }, O);
      const c = process.cpuUsage(c0);
      return { ms: (c.user + c.system) / 1000, shares };
    };
    run(8_640, 50_000);
    const small = Math.min(run(8_640, 50_000).ms, run(8_640, 50_000).ms);
    const { ms, shares } = run(86_400, 500_000);
    // Per step per span (the way before) this would be 100×; merging once and a binary search per step, ~10–15×.
    assert.ok(ms < 40 * Math.max(small, 10), `${small.toFixed(0)} ms → ${ms.toFixed(0)} ms`);
    assert.equal(shares.length, 500_000);
    assert.ok(Math.abs(shares.reduce<number>((a, s) => a + (s ?? 0), 0) / shares.length - 0.3) < 0.01);
  });
});
