/** Throttle intervals from per-sample answers, step shares, and the detector's overlap with a known throttle phase across noise levels. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { THROTTLE_DEFAULTS as O } from '../../../src/analysis/throttle/constants.js';
import { deviceThrottle } from '../../../src/analysis/throttle/device.js';
import { throttledShareOf, throttleIntervals } from '../../../src/analysis/throttle/intervals.js';
import { stepThrottleShares } from '../../../src/analysis/throttle/step-share.js';
import type { Cause, ThrottleSample } from '../../../src/analysis/throttle/types.js';
import { cpuSession, iou } from './synth.js';

/** Samples from a code string: 1 / 0 / n(ull) direct, i = inferred 1. */
function samples(code: string, causes: Cause[] = ['thermal']): ThrottleSample[] {
  return [...code].map((c) => ({
    throttled: c === '1' || c === 'i' ? 1 : c === '0' ? 0 : null,
    causes: c === '1' || c === 'i' ? causes : [],
    inferred: c === 'i',
    reason: null,
  }));
}
const at = (n: number, t0 = 100): number[] => Array.from({ length: n }, (_, i) => t0 + i);
const spans = (x: { start: number; end: number }[]): [number, number][] => x.map((v) => [v.start, v.end]);

describe('throttle intervals', () => {
  it('a run of throttled samples: start = its first t, end = the next sample’s t', () => {
    assert.deepEqual(spans(throttleIntervals(at(6), samples('011100'), O)), [[101, 104]]);
  });
  it('at the end of the series: last t + the median period', () => {
    const t = [0, 2, 4, 6, 8];
    const x = throttleIntervals(t, samples('00011'), O);
    assert.deepEqual(x.map((v) => [v.start, v.end, v.duration_s]), [[6, 10, 4]]);
  });
  it('bridges one cannot-tell sample, not two, and never a 0', () => {
    assert.deepEqual(spans(throttleIntervals(at(7), samples('01n1100'), O)), [[101, 105]]);
    assert.deepEqual(spans(throttleIntervals(at(7), samples('01nn110'), O)), [[101, 102], [104, 106]]);
    assert.deepEqual(spans(throttleIntervals(at(7), samples('0101100'), O)), [[101, 102], [103, 105]]);
    assert.deepEqual(spans(throttleIntervals(at(5), samples('011nn'), O)), [[101, 103]]); // a trailing bridge is not included
  });
  it('a time gap ends an interval; the sample before it stands for one median period', () => {
    const t = [0, 1, 2, 3, 50, 51];
    assert.deepEqual(spans(throttleIntervals(t, samples('011111'), O)), [[1, 4], [50, 52]]);
  });
  it('an interval with only inferred evidence needs two samples; direct counts from one; mixed is direct', () => {
    assert.deepEqual(spans(throttleIntervals(at(7), samples('0i0ii01'), O)), [[103, 105], [106, 107]]);
    const x = throttleIntervals(at(4), samples('0i10'), O);
    assert.deepEqual(x.map((v) => [v.start, v.end, v.inferred]), [[101, 103, false]]);
  });
  it('causes are the union over the interval', () => {
    const s = [...samples('01', ['power']), ...samples('1', ['thermal']), ...samples('0')];
    assert.deepEqual(throttleIntervals(at(4), s, O)[0]!.causes, ['thermal', 'power']);
  });
});

describe('throttled share of a span', () => {
  const iv = [{ start: 10, end: 20 }, { start: 30, end: 40 }];
  it('is the covered fraction; overlapping intervals count once; a point is 0 or 1', () => {
    assert.equal(throttledShareOf(iv, 15, 25), 0.5);
    assert.equal(throttledShareOf(iv, 0, 50), 0.4);
    assert.equal(throttledShareOf(iv, 21, 29), 0);
    assert.equal(throttledShareOf([...iv, { start: 12, end: 35 }], 10, 40), 1);
    assert.deepEqual([throttledShareOf(iv, 12, 12), throttledShareOf(iv, 25, 25)], [1, 0]);
  });
  it('per step: null without a start, or mostly in cannot-tell time', () => {
    const dev = { intervals: [{ start: 10, end: 20 }], known: [{ start: 0, end: 30 }] };
    const steps = [{ start: 8, end: 12 }, { start: null, end: 14 }, { start: 25, end: 40 }, { start: 28, end: 31 }];
    assert.deepEqual(stepThrottleShares(steps, dev, O), [0.5, null, null, 0]);
  });
});

describe('throttle phase found in a seeded session (idle, load, throttle, recovery)', () => {
  // σ_temp °C, σ_clock: clean, typical, noisy, very noisy sensors (at 4 °C / 0.15 the IoU falls to ≈ 0.4–0.6).
  const levels: [number, number][] = [[0.3, 0.02], [1, 0.05], [2, 0.08], [3, 0.1]];
  for (const [st, sc] of levels) {
    it(`IoU ≥ 0.6 with the truth at σ_temp ${st} °C, σ_clock ${sc} (10 seeds), and no throttle outside it`, (t) => {
      const scores: number[] = [];
      for (let seed = 1; seed <= 10; seed++) {
        const s = cpuSession(seed * 7919, st, sc);
        const d = deviceThrottle(s.cols);
        const score = iou(d.intervals, [{ start: s.truth[0], end: s.truth[1] }]);
        scores.push(score);
        assert.ok(score >= 0.6, `seed ${seed}: IoU ${score.toFixed(3)}`);
        const outside = d.samples.filter((a, i) => a.throttled === 1 && s.phase[i] !== 'throttle').length;
        assert.ok(outside <= 2, `seed ${seed}: ${outside} throttled samples outside the phase`);
      }
      t.diagnostic(`σ_temp ${st}, σ_clock ${sc}: IoU min ${Math.min(...scores).toFixed(3)}, mean ${(scores.reduce((a, b) => a + b, 0) / scores.length).toFixed(3)}`);
    });
  }
  it('throttled_share is of the answered time (idle and load say 0; the phase is 150 of 420 s)', () => {
    const d = deviceThrottle(cpuSession(5, 0.3, 0.02).cols);
    assert.ok(Math.abs(d.throttled_s - 150) <= 4, `${d.throttled_s}`);
    assert.ok(Math.abs(d.throttled_share! - 150 / 420) < 0.02, `${d.throttled_share}`);
  });
});
