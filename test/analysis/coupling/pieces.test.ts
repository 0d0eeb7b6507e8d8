/** The coupling building blocks: alignment by time, detrending, spike rules, collapse events, training summary. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignSteps } from '../../../src/analysis/coupling/align.js';
import { collapseEvents } from '../../../src/analysis/coupling/collapse-events.js';
import { detrend } from '../../../src/analysis/coupling/detrend.js';
import { findSpikes } from '../../../src/analysis/coupling/spikes.js';
import { summarizeTraining } from '../../../src/analysis/training-summary.js';
import type { StepRecord } from '../../../src/store/session-store.js';
import { gauss, rng } from '../../helpers.js';

const step = (n: number, t: number, g: number | null, loss: number | null = 1): StepRecord => ({ step: n, t, loss, grad_norm: g, learning_rate: 0, tokens: 100, epoch: null });

describe('alignment by time', () => {
  it('pairs each sample with the mean of the steps in [t_i, t_i+1), NaN where none; never by index', () => {
    const t = [100, 101, 102, 103];
    const a = alignSteps(t, [step(1, 100.2, 2), step(2, 100.9, 4), step(3, 102.5, 7), step(4, 99.5, 100), step(5, 103.4, 9), step(6, 104.5, 50)], 'grad_norm');
    assert.deepEqual([...a], [3, NaN, 7, 9]); // 99.5 is before the first sample, 104.5 after the last interval
  });
  it('ignores steps whose metric is missing or not finite', () => {
    const a = alignSteps([0, 1], [step(1, 0.5, null), step(2, 0.6, NaN), step(3, 0.7, 5)], 'grad_norm');
    assert.deepEqual([...a], [5, NaN]);
  });
});

describe('detrending', () => {
  it('removes a straight line and keeps NaN', () => {
    const d = detrend([1, 3, NaN, 7, 9]);
    for (const i of [0, 1, 3, 4]) assert.ok(Math.abs(d[i]!) < 1e-12);
    assert.ok(Number.isNaN(d[2]));
  });
});

describe('spike rules', () => {
  const u = rng(5);
  const noise = Array.from({ length: 2000 }, () => 10 + gauss(u));
  it('mean + 1 sd (the original rule) marks about one step in six in pure noise', () => {
    const share = findSpikes(noise, 'mean-sd').length / noise.length;
    assert.ok(share > 0.13 && share < 0.19, `${share}`);
  });
  it('the robust rule marks well under 1 % of pure noise, and ignores a slow trend', () => {
    assert.ok(findSpikes(noise, 'robust').length / noise.length < 0.01);
    const trend = noise.map((x, i) => x + i / 50);
    assert.ok(findSpikes(trend, 'robust').length / noise.length < 0.01);
  });
  it('the robust rule finds planted spikes', () => {
    const x = [...noise.slice(0, 300)];
    for (const i of [50, 120, 250]) x[i] = 20;
    assert.deepEqual(findSpikes(x, 'robust').filter((i) => x[i] === 20), [50, 120, 250]);
  });
});

describe('collapse events', () => {
  it('are runs of consecutive collapse samples with start, end and duration', () => {
    const ev = collapseEvents('gpu0', [0, 1, 2, 3, 4, 5, 6], [0, 1, 1, 0, 1, 0, 1]);
    assert.deepEqual(ev.map((e) => [e.start, e.end, e.duration_s, e.samples]), [[1, 2, 1, 2], [4, 4, 0, 1], [6, 6, 0, 1]]);
    assert.ok(ev.every((e) => e.device === 'gpu0'));
  });
});

describe('training summary', () => {
  const steps = [step(1, 11, 1, 4), step(2, 12, 1, 3), step(3, 13, 1, 2)];
  it('from the training start: loss first → last, wall time, rates', () => {
    const s = summarizeTraining(steps, 10, 4);
    assert.deepEqual([s.steps, s.loss_first, s.loss_last, s.loss_change_pct, s.wall_s], [3, 4, 2, -50, 3]);
    assert.equal(s.samples_per_s, 4);
    assert.equal(s.tokens_per_s, 100);
  });
  it('without a known start, the first step only opens the clock', () => {
    const s = summarizeTraining(steps, null, null);
    assert.equal(s.wall_s, 2);
    assert.equal(s.tokens_per_s, 100);
    assert.equal(s.samples_per_s, null);
  });
});

describe('Fourier transform and surrogates', () => {
  it('dft agrees with the direct sum for power-of-two and other lengths; the inverse round-trips', async () => {
    const { dft, surrogate } = await import('../../../src/analysis/coupling/fft.js');
    const u = rng(8);
    for (const n of [8, 12, 300, 97]) {
      const x = Array.from({ length: n }, () => gauss(u));
      const re = Float64Array.from(x), im = new Float64Array(n);
      dft(re, im);
      for (const k of [0, 1, Math.floor(n / 3), n - 1]) {
        let sr = 0, si = 0;
        for (let j = 0; j < n; j++) {
          sr += x[j]! * Math.cos((-2 * Math.PI * j * k) / n);
          si += x[j]! * Math.sin((-2 * Math.PI * j * k) / n);
        }
        assert.ok(Math.abs(re[k]! - sr) < 1e-8 && Math.abs(im[k]! - si) < 1e-8, `n ${n} k ${k}`);
      }
      const s = surrogate({ re, im }, u);
      // same power spectrum: same mean and same variance
      const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((p, q) => p + q, 0) / a.length;
      const v = (a: ArrayLike<number>): number => Array.from(a).reduce((p, q) => p + (q - mean(a)) ** 2, 0);
      assert.ok(Math.abs(mean(s) - mean(x)) < 1e-9);
      assert.ok(Math.abs(v(s) - v(x)) < 1e-6 * v(x), `n ${n}`);
    }
  });
});
