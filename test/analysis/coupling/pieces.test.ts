/** The coupling building blocks: alignment by time, detrending, prewhitening, lagged correlation by FFT, Holm, spike rules, collapse events, training summary. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignSteps } from '../../../src/analysis/coupling/align.js';
import { collapseEvents } from '../../../src/core/collapse-edges.js';
import { localDetrend, localScale } from '../../../src/analysis/coupling/detrend.js';
import { effectiveN, fisherInterval, normalQuantile } from '../../../src/analysis/coupling/effect.js';
import { holm } from '../../../src/analysis/coupling/holm.js';
import { prewhiten } from '../../../src/analysis/coupling/prewhiten.js';
import { edgeCorrect } from '../../../src/analysis/coupling/surrogate-test.js';
import { LagGrid, lagPearson, masked, pairPlan, prefixSums } from '../../../src/analysis/coupling/xcorr.js';
import { findSpikes } from '../../../src/analysis/coupling/spikes.js';
import { summarizeTraining } from '../../../src/analysis/training-summary.js';
import type { StepRecord } from '../../../src/store/session-store.js';
import { gauss, rng } from '../../helpers.js';
import { dft as dftInPlace } from '../../../src/analysis/coupling/fft.js';

const step = (n: number, t: number, g: number | null, loss: number | null = 1): StepRecord => ({ step: n, t, loss, grad_norm: g, learning_rate: 0, tokens: 100, epoch: null });

describe('alignment by time', () => {
  it('pairs each sample with the mean of the steps in [t_i, t_i+1), NaN where none; never by index', () => {
    const t = [100, 101, 102, 103];
    const a = alignSteps(t, [step(1, 100.2, 2), step(2, 100.9, 4), step(3, 102.5, 7), step(4, 99.5, 100), step(5, 103.4, 9), step(6, 104.5, 50)], 'grad_norm');
    assert.deepEqual([...a], [3, NaN, 7, 9]); // 99.5 is before the first sample, 104.5 after the last interval
  });
  it('takes steps in any order', () => {
    const a = alignSteps([100, 101, 102], [step(3, 102.5, 7), step(1, 100.2, 2), step(2, 100.9, 4)], 'grad_norm');
    assert.deepEqual([...a], [3, NaN, 7]);
  });
  it('ignores steps whose metric is missing or not finite', () => {
    const a = alignSteps([0, 1], [step(1, 0.5, null), step(2, 0.6, NaN), step(3, 0.7, 5)], 'grad_norm');
    assert.deepEqual([...a], [5, NaN]);
  });
});

describe('detrending', () => {
  it('local linear: removes a straight line exactly, keeps NaN', () => {
    const d = localDetrend([1, 3, NaN, 7, 9, 11, 13, 15], 3);
    for (const i of [0, 1, 3, 4, 5, 6, 7]) assert.ok(Math.abs(d[i]!) < 1e-12, `${i}: ${d[i]}`);
    assert.ok(Number.isNaN(d[2]));
  });
  it('local linear: a warm-up curve leaves a small residual; a whole-run line would not', () => {
    const x = Array.from({ length: 600 }, (_, i) => 40 + 35 * (1 - Math.exp(-i / 150)));
    const d = localDetrend(x, 30);
    const worst = Math.max(...Array.from(d.subarray(5), Math.abs));
    assert.ok(worst < 0.4, `${worst} °C`); // curvature 35/150² × 30²/6 ≈ 0.23 °C at the start
  });
  it('local scale: fluctuations of changing size become of one size', () => {
    const u = rng(3);
    const x = Array.from({ length: 2000 }, (_, i) => gauss(u) * (i < 1000 ? 5 : 0.5));
    const s = localScale(x, 50);
    const rms = (a: ArrayLike<number>): number => Math.sqrt(Array.from(a).reduce((p, q) => p + q * q, 0) / a.length);
    assert.ok(Math.abs(rms(s.subarray(100, 900)) - 1) < 0.1 && Math.abs(rms(s.subarray(1100, 1900)) - 1) < 0.1);
  });
});

describe('prewhitening', () => {
  it('recovers an AR(1) coefficient and leaves near-white residuals', () => {
    const u = rng(4);
    const x: number[] = [];
    for (let i = 0, v = 0; i < 5000; i++) x.push((v = 0.8 * v + gauss(u)));
    const p = prewhiten(x, 10);
    assert.ok(Math.abs(p.coefficients[0]! - 0.8) < 0.05, `${p.coefficients.join(' ')}`);
    assert.ok(p.order >= 1 && p.order <= 3, `order ${p.order}`);
    assert.ok(Math.abs(effectiveN(p.values, p.values, 4999) / 4999 - 1) < 0.1);
  });
});

describe('lagged correlation by FFT', () => {
  it('equals the direct masked Pearson r at every lag, with missing values in both series', () => {
    const u = rng(6);
    const n = 300, K = 12;
    const x = Array.from({ length: n }, () => (u() < 0.2 ? NaN : gauss(u)));
    const y = x.map((v, i) => (u() < 0.1 ? NaN : 0.5 * (x[i - 4] ?? 0) + gauss(u)));
    const g = new LagGrid(n, K), mx = masked(x), my = masked(y);
    const plan = pairPlan(g, mx.mask, my);
    const [sxy] = g.crossSums(g.spectrum(mx.values), plan.Y);
    const r = lagPearson(sxy, mx.values, prefixSums(mx.values), plan, K);
    for (let k = -K; k <= K; k++) {
      const a: number[] = [], b: number[] = [];
      for (let i = 0; i < n; i++) if (i + k >= 0 && i + k < n && Number.isFinite(x[i]!) && Number.isFinite(y[i + k]!)) {
          a.push(x[i]!);
          b.push(y[i + k]!);
        }
      const ma = a.reduce((p, q) => p + q, 0) / a.length, mb = b.reduce((p, q) => p + q, 0) / b.length;
      let sab = 0, saa = 0, sbb = 0;
      a.forEach((v, j) => ((sab += (v - ma) * (b[j]! - mb)), (saa += (v - ma) ** 2), (sbb += (b[j]! - mb) ** 2)));
      assert.ok(Math.abs(r[k + K]! - sab / Math.sqrt(saa * sbb)) < 1e-9, `lag ${k}`);
      assert.equal(plan.c[k + K], a.length);
    }
  });
  it('a surrogate on the whole transform length, edge-corrected, gives the cross-sums of its window', () => {
    const u = rng(7);
    const n = 200, K = 9;
    const g = new LagGrid(n, K);
    const full = Float64Array.from({ length: g.N }, () => gauss(u));
    const y = masked(Array.from({ length: n }, () => gauss(u)));
    const plan = pairPlan(g, new Uint8Array(n).fill(1), y);
    const whole = { re: Float64Array.from(full), im: new Float64Array(g.N) };
    dftInPlace(whole.re, whole.im);
    const [direct] = g.crossSums(whole, plan.Y);
    edgeCorrect(direct, full, plan.yValues, n, g.N, K);
    const [windowed] = g.crossSums(g.spectrum(full.subarray(0, n)), plan.Y);
    for (let k = 0; k < 2 * K + 1; k++) assert.ok(Math.abs(direct[k]! - windowed[k]!) < 1e-9, `lag ${k - K}`);
  });
});

describe('interval and multiplicity', () => {
  it('Fisher z: r 0.5 at n 103 gives [0.34, 0.63]; no interval without n', () => {
    const [lo, hi] = fisherInterval(0.5, 103)!;
    assert.ok(Math.abs(lo - 0.339) < 0.005 && Math.abs(hi - 0.632) < 0.005, `${lo} ${hi}`);
    assert.equal(fisherInterval(0.5, 3), null);
    const [lo21] = fisherInterval(0.5, 103, 21)!; // z 3.038 for 21 lags
    assert.ok(Math.abs(lo21 - Math.tanh(Math.atanh(0.5) - 3.038074 / 10)) < 1e-3, `${lo21}`);
  });
  it('normal quantiles', () => {
    for (const [p, z] of [[0.975, 1.959964], [0.5, 0], [1 - 0.025 / 21, 3.038074], [0.001, -3.090232]] as const) assert.ok(Math.abs(normalQuantile(p) - z) < 1e-4, `${p}: ${normalQuantile(p)}`);
  });
  it('Holm: step-down, monotone, capped at 1; null stays out of m', () => {
    assert.deepEqual(holm([0.01, 0.04, 0.03, null, 0.5]), [0.04, 0.09, 0.09, null, 0.5]);
    assert.deepEqual(holm([0.6, 0.9]), [1, 1]);
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
  it('the sliding robust rule flags exactly what a median and MAD of each window do', () => {
    const x = noise.slice(0, 500).map((v, i) => (i % 37 === 0 ? v + 6 : v));
    x[100] = NaN;
    const med = (a: number[]): number => {
      const s = [...a].sort((p, q) => p - q), m = s.length >> 1;
      return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
    };
    const idx = x.map((v, i) => (Number.isFinite(v) ? i : -1)).filter((i) => i >= 0), v = idx.map((i) => x[i]!);
    const want = idx.filter((_, j) => {
      const w = v.slice(Math.max(0, j - 10), j + 11), m = med(w), d = 1.4826 * med(w.map((q) => Math.abs(q - m)));
      return d > 0 && v[j]! > m + 3 * d;
    });
    assert.deepEqual(findSpikes(x, 'robust'), want);
    assert.ok(want.length >= 10);
  });
  it('the robust rule is linear in the steps: 10× the steps cost about 10× the CPU, not 100×', () => {
    // CPU time of this process, not wall time: a busy machine slows both runs alike. (The speed
    // itself — 500,000 steps — is in npm run bench, not in a timed test.)
    const cpu = (n: number): number => {
      const x = Array.from({ length: n }, (_, i) => noise[i % noise.length]!);
      findSpikes(x, 'robust'); // warm
      const c0 = process.cpuUsage();
      findSpikes(x, 'robust');
      const c = process.cpuUsage(c0);
      return c.user + c.system;
    };
    const small = cpu(50_000), big = cpu(500_000);
    assert.ok(big / small < 30, `50,000 steps ${(small / 1000).toFixed(0)} ms, 500,000 steps ${(big / 1000).toFixed(0)} ms CPU`);
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

describe('Fourier transform', () => {
  it('dft agrees with the direct sum for power-of-two lengths, odd and even log₂; the inverse round-trips', () => {
    const u = rng(8);
    for (const n of [2, 8, 16, 256, 512, 8192]) {
      const x = Array.from({ length: n }, () => gauss(u));
      const re = Float64Array.from(x), im = new Float64Array(n);
      dftInPlace(re, im);
      for (const k of [0, 1, Math.floor(n / 3), n - 1]) {
        let sr = 0, si = 0;
        for (let j = 0; j < n; j++) {
          sr += x[j]! * Math.cos((-2 * Math.PI * j * k) / n);
          si += x[j]! * Math.sin((-2 * Math.PI * j * k) / n);
        }
        assert.ok(Math.abs(re[k]! - sr) < 1e-8 && Math.abs(im[k]! - si) < 1e-8, `n ${n} k ${k}`);
      }
      dftInPlace(re, im, true);
      for (let j = 0; j < n; j++) assert.ok(Math.abs(re[j]! / n - x[j]!) < 1e-9 && Math.abs(im[j]!) < 1e-9 * n);
    }
    assert.throws(() => dftInPlace(new Float64Array(14), new Float64Array(14)), /not 2\^a, 3·2\^a or 5·2\^a/);
  });
});
