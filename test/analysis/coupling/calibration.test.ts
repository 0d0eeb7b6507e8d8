/**
 * Calibration of the coupling statistics on seeded synthetic sessions: planted coupling is
 * found (p < 0.01, peak lag of the right sign), and with none the p-values are roughly
 * uniform (≤ 10 % of 50 seeds below 0.05; mean near 0.5).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deviceCoupling } from '../../../src/analysis/coupling/coupling.js';
import { alignSteps } from '../../../src/analysis/coupling/align.js';
import { detrend } from '../../../src/analysis/coupling/detrend.js';
import { laggedCorrelation } from '../../../src/analysis/coupling/xcorr.js';
import { coincidences } from '../../../src/analysis/coupling/coincidence.js';
import type { DeviceSeries } from '../../../src/replay/series.js';
import type { StepRecord } from '../../../src/store/session-store.js';
import { gauss, rng } from '../../helpers.js';

const T0 = 1_700_000_000;

function ar1(u: () => number, n: number, phi: number): number[] {
  const x: number[] = [];
  let v = 0;
  for (let i = 0; i < n; i++) x.push((v = phi * v + gauss(u)));
  return x;
}

/** A 1 Hz device series with the given rle_smoothed and collapse flags (other series plausible). */
function device(rle: number[], collapse: number[] = rle.map(() => 0)): DeviceSeries {
  const n = rle.length;
  const t = Array.from({ length: n }, (_, i) => T0 + i);
  return {
    device: 'cpu', t, util_pct: rle.map((r) => 50 + 10 * r), temp_c: rle.map((r) => 60 - r), power_w: rle.map((r) => 40 + r),
    power_estimated: new Array<number>(n).fill(0), power_provenance: { measured: n }, temp_provenance: { measured: n }, rle_smoothed: rle.map((r) => 0.5 + 0.05 * r), rolling_peak: new Array<number>(n).fill(1),
    E_th: new Array<number>(n).fill(0.5), E_pw: new Array<number>(n).fill(0.5), collapse,
  };
}

/** One step per second, stamped mid-interval (t + 0.5), grad_norm as given. */
function steps(gn: number[]): StepRecord[] {
  return gn.map((g, i) => ({ step: i + 1, t: T0 + i + 0.5, loss: 3 - i / gn.length, grad_norm: g, learning_rate: 1e-4, tokens: 512, epoch: null }));
}

describe('coupling calibration', () => {
  it('a lagged linear link (grad_norm leads rle_smoothed by 2 s) is found: p < 0.01, peak at +2 s', (t) => {
    for (const seed of [1, 2, 3]) {
      const u = rng(seed);
      const n = 400;
      const gn = ar1(u, n, 0.3).map((x) => 5 + x);
      const noise = ar1(u, n, 0.5);
      const rle = noise.map((e, i) => 0.6 * e + (i >= 2 ? -(gn[i - 2]! - 5) : 0)); // a spike now, RLE down 2 s later
      const c = deviceCoupling(device(rle), steps(gn), { lagsS: 10, windowS: 3, seed, shifts: 1000, spikeRule: 'robust' });
      const x = c.xcorr.find((e) => e.training_metric === 'grad_norm' && e.metric === 'rle_smoothed')!;
      t.diagnostic(`planted link, seed ${seed}: peak r ${x.peak_r!.toFixed(3)} at ${x.peak_lag_s} s, p ${x.p_value}`);
      assert.ok(x.p_value! < 0.01, `seed ${seed}: p ${x.p_value}`);
      assert.equal(x.peak_lag_s, 2, `seed ${seed}: peak at ${x.peak_lag_s} s`);
      assert.ok(x.peak_r! < -0.5, `negative link: r ${x.peak_r}`);
      assert.equal(c.verdict, 'coupled');
    }
  });
  it('the sign of the lag follows who leads: thermal leading gives a negative lag', () => {
    const u = rng(9);
    const n = 400;
    const rle = ar1(u, n, 0.3);
    const gn = rle.map((_, i) => 5 + 0.5 * gauss(u) + (i >= 3 ? rle[i - 3]! : 0));
    const c = deviceCoupling(device(rle), steps(gn));
    const x = c.xcorr.find((e) => e.training_metric === 'grad_norm' && e.metric === 'rle_smoothed')!;
    assert.equal(x.peak_lag_s, -3);
    assert.ok(x.p_value! < 0.01);
  });
  it('grad_norm spikes 1–2 s before collapse events are found: p < 0.01', (t) => {
    const u = rng(4);
    const n = 900;
    const gn = Array.from({ length: n }, () => 5 + 0.3 * gauss(u));
    const collapse = new Array<number>(n).fill(0);
    for (let k = 0; k < 12; k++) {
      const at = 30 + Math.floor(u() * (n - 60));
      gn[at] = 12; // a spike…
      const start = at + 1 + Math.floor(u() * 2); // …then a collapse 1–2 s later, lasting 5 s
      for (let i = start; i < Math.min(n, start + 5); i++) collapse[i] = 1;
    }
    const c = deviceCoupling(device(ar1(u, n, 0.5), collapse), steps(gn));
    assert.ok(c.events.spikes >= 10, `${c.events.spikes} spikes`);
    assert.ok(c.events.coincidences >= 10);
    t.diagnostic(`planted spikes: ${c.events.coincidences} of ${c.events.spikes} coincide (expected ${c.events.expected!.toFixed(2)}), p ${c.events.p_value}`);
    assert.ok(c.events.p_value! < 0.01, `p ${c.events.p_value}`);
    assert.ok(c.events.expected! < 3);
    assert.equal(c.verdict, 'coupled');
  });
  it('with no coupling, the correlation p-values are roughly uniform over 50 seeds', (t) => {
    const ps: number[] = [];
    for (let seed = 100; seed < 150; seed++) {
      const u = rng(seed);
      const n = 300;
      const x = detrend(alignSteps(Array.from({ length: n }, (_, i) => T0 + i), steps(ar1(u, n, 0.6)), 'grad_norm'));
      const y = detrend(ar1(u, n, 0.8));
      ps.push(laggedCorrelation(x, y, 1, 10, 1000, seed).p_value!);
    }
    const below = ps.filter((p) => p < 0.05).length;
    const mean = ps.reduce((a, b) => a + b, 0) / ps.length;
    t.diagnostic(`null correlation p-values: ${below} of 50 below 0.05, mean ${mean.toFixed(3)}`);
    assert.ok(below <= 5, `${below} of 50 below 0.05: ${ps.map((p) => p.toFixed(2)).join(' ')}`);
    assert.ok(mean > 0.35 && mean < 0.65, `mean p ${mean}`);
  });
  for (const [spikesN, eventsN, meanHi] of [[40, 30, 0.65], [8, 10, 0.95]] as const) {
    it(`with no coupling, coincidence p-values are calibrated over 50 seeds (${spikesN} spikes, ${eventsN} events)`, (t) => {
      const ps: number[] = [];
      for (let seed = 200; seed < 250; seed++) {
        const u = rng(seed);
        const spikes = Array.from({ length: spikesN }, () => T0 + u() * 900);
        const starts = Array.from({ length: eventsN }, () => T0 + u() * 900);
        ps.push(coincidences(spikes, starts, 3, [T0, T0 + 900], 1000, seed).p_value!);
      }
      const below = ps.filter((p) => p < 0.05).length;
      const mean = ps.reduce((a, b) => a + b, 0) / ps.length;
      t.diagnostic(`null coincidence p-values: ${below} of 50 below 0.05, mean ${mean.toFixed(3)}`);
      assert.ok(below <= 5, `${below} of 50 below 0.05`);
      // Counts are discrete, so p is conservative (above uniform) when few coincidences are expected.
      assert.ok(mean > 0.35 && mean < meanHi, `mean p ${mean}`);
    });
  }
  it('a trend shared by both series is not coupling (detrending)', () => {
    const u = rng(11);
    const n = 300;
    const gn = Array.from({ length: n }, (_, i) => 8 - i / 60 + 0.5 * gauss(u)); // falls over the run
    const rle = Array.from({ length: n }, (_, i) => -i / 50 + gauss(u)); // so does RLE, as the machine warms
    const c = deviceCoupling(device(rle), steps(gn));
    assert.equal(c.verdict, 'not coupled', c.reason);
  });
  it('says insufficient data with few aligned samples, and without steps', () => {
    const u = rng(12);
    const short = deviceCoupling(device(ar1(u, 15, 0.5)), steps(ar1(u, 15, 0.5)));
    assert.equal(short.verdict, 'insufficient data');
    assert.match(short.reason, /15 telemetry samples have a training step/);
    const none = deviceCoupling(device(ar1(u, 100, 0.5)), []);
    assert.equal(none.verdict, 'insufficient data');
    assert.match(none.reason, /no training steps/);
  });
});
