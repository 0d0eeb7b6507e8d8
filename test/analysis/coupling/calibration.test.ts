/**
 * Calibration of the coupling statistics on seeded synthetic sessions.
 * Stationary series: a planted lagged link is found at the right lag and sign; with none, the
 * p-values are roughly uniform. Sessions with the trends of a real run (the machine warms up,
 * loss and grad_norm fall, rle_smoothed from the engine with its start-up spike, temperature
 * rounded to 1 °C) and independent fluctuations: about 5 % of pairs at p < 0.05 and few
 * `coupled` verdicts; with a planted fluctuation link (r 0.45, thermal leading by 3 s) the
 * verdict is `coupled` and the lag right. RLE_COUPLING_SWEEP=1 also prints the rates of the
 * alternative detrendings (the paragraph in coupling.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COUPLING_DEFAULTS, deviceCoupling, fluctuations, type DeviceCoupling } from '../../../src/analysis/coupling/coupling.js';
import { alignSteps } from '../../../src/analysis/coupling/align.js';
import { coincidences } from '../../../src/analysis/coupling/coincidence.js';
import { lagCorrelationTests } from '../../../src/analysis/coupling/surrogate-test.js';
import { emptySeries, type DeviceSeries } from '../../../src/replay/series.js';
import type { StepRecord } from '../../../src/store/session-store.js';
import { gauss, rng } from '../../helpers.js';
import { TRANSFORMS } from './alternatives.js';
import { session, type SessionSpec } from './synthetic.js';

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
    ...emptySeries('cpu'),
    device: 'cpu', t, util_pct: rle.map((r) => 50 + 10 * r), temp_c: rle.map((r) => 60 - r), power_w: rle.map((r) => 40 + r),
    power_estimated: new Array<number>(n).fill(0), power_provenance: { measured: n }, temp_provenance: { measured: n }, rle_smoothed: rle.map((r) => 0.5 + 0.05 * r), rolling_peak: new Array<number>(n).fill(1),
    E_th: new Array<number>(n).fill(0.5), E_pw: new Array<number>(n).fill(0.5), collapse,
  };
}

/** One step per second, stamped mid-interval (t + 0.5), grad_norm as given. */
function steps(gn: number[]): StepRecord[] {
  return gn.map((g, i) => ({ step: i + 1, t: T0 + i + 0.5, loss: 3 - i / gn.length, grad_norm: g, learning_rate: 1e-4, tokens: 512, epoch: null }));
}

const pair = (c: DeviceCoupling, tm: string, m: string) => c.xcorr.find((e) => e.training_metric === tm && e.metric === m)!;
const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(1)} %`;

describe('coupling calibration, stationary series', () => {
  it('a lagged linear link (grad_norm leads rle_smoothed by 2 s) is found: p < 0.01, peak at +2 s', (t) => {
    for (const seed of [1, 2, 3]) {
      const u = rng(seed);
      const n = 400;
      const gn = ar1(u, n, 0.3).map((x) => 5 + x);
      const noise = ar1(u, n, 0.5);
      const rle = noise.map((e, i) => 0.6 * e + (i >= 2 ? -(gn[i - 2]! - 5) : 0)); // a spike now, RLE down 2 s later
      const c = deviceCoupling(device(rle), steps(gn), { lagsS: 10, windowS: 3, seed, draws: 1000, spikeRule: 'robust' });
      const x = pair(c, 'grad_norm', 'rle_smoothed');
      t.diagnostic(`planted link, seed ${seed}: peak r ${x.peak_r!.toFixed(3)} [${x.ci95!.map((v) => v.toFixed(2)).join(', ')}] at ${x.peak_lag_s} s, p ${x.p_value} (${x.draws} draws)`);
      assert.ok(x.p_value! < 0.01, `seed ${seed}: p ${x.p_value}`);
      assert.equal(x.peak_lag_s, 2, `seed ${seed}: peak at ${x.peak_lag_s} s`);
      assert.ok(x.peak_r! < -0.5 && x.ci95![1] < 0, `negative link: r ${x.peak_r}`);
      assert.equal(x.family, 'prespecified');
      assert.equal(c.verdict, 'coupled');
    }
  });
  it('the sign of the lag follows who leads: thermal leading gives a negative lag', () => {
    const u = rng(9);
    const n = 400;
    const rle = ar1(u, n, 0.3);
    const gn = rle.map((_, i) => 5 + 0.5 * gauss(u) + (i >= 3 ? rle[i - 3]! : 0));
    const c = deviceCoupling(device(rle), steps(gn));
    const x = pair(c, 'grad_norm', 'rle_smoothed');
    assert.equal(x.peak_lag_s, -3);
    assert.ok(x.p_value! < 0.01);
    assert.match(c.lag_convention, /positive lag: the training series leads/);
  });
  it('grad_norm spikes 1–2 s before collapse events are found: p < 0.01', (t) => {
    const u = rng(4);
    const n = 900;
    const gn = Array.from({ length: n }, () => 5 + 0.3 * gauss(u));
    const collapse = new Array<number>(n).fill(0);
    for (let k = 0; k < 12; k++) {
      const at = 60 + Math.floor(u() * (n - 90));
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
      const x = fluctuations(alignSteps(Array.from({ length: n }, (_, i) => T0 + i), steps(ar1(u, n, 0.6)), 'grad_norm'), 30, 10).values;
      const y = fluctuations(ar1(u, n, 0.8), 30, 10).values;
      ps.push(lagCorrelationTests([x], [{ x: 0, y, maxDraws: 1000 }], 10, { exceedances: 10, clearAfter: 250 }, seed)[0]!.p_value!);
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
});

/** Generator variants: trend shapes, lengths 300–3000, quantisation, 1 and 2 Hz, training faster and slower than telemetry, constant and level-proportional noise. */
const VARIANTS: Partial<SessionSpec>[] = [
  { n: 600, hz: 1, shape: 'exp' },
  { n: 300, hz: 1, shape: 'logistic', hetero: true },
  { n: 1500, hz: 2, shape: 'ramp' },
  { n: 3000, hz: 1, shape: 'exp', stepS: 1.7, hetero: true },
  { n: 400, hz: 2, shape: 'exp', quantumC: 0, sigmaC: 0.7, hetero: true },
];

interface Rates {
  pairs: number;
  below: number;
  sessions: number;
  coupled: number;
  lagRight: number;
}

function run(seeds: number, link: number, transform = fluctuations): Rates {
  const r: Rates = { pairs: 0, below: 0, sessions: 0, coupled: 0, lagRight: 0 };
  for (let k = 0; k < seeds; k++) {
    const { device: d, steps: st } = session({ ...VARIANTS[k % VARIANTS.length], seed: 1000 + k, link });
    const c = deviceCoupling(d, st, COUPLING_DEFAULTS, transform);
    r.sessions++;
    if (c.verdict === 'coupled') r.coupled++;
    for (const e of c.xcorr) {
      if (e.p_value === null) continue;
      r.pairs++;
      if (e.p_value < 0.05) r.below++;
    }
    const lag = pair(c, 'grad_norm', 'temp_c').peak_lag_s;
    if (lag !== null && Math.abs(lag + 3) <= 1) r.lagRight++;
  }
  return r;
}

describe('coupling calibration, sessions with shared trends', () => {
  it('the engine gives the synthetic rle_smoothed its start-up spike', () => {
    const { device: d } = session({ seed: 5 });
    const sorted = [...d.rle_smoothed].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1]!;
    assert.ok(d.rle_smoothed[0]! > 2 * median, `first ${d.rle_smoothed[0]} vs median ${median}`);
  });
  it('independent fluctuations: 2–10 % of pairs at p < 0.05, ≤ 10 % coupled (60 seeds)', (t) => {
    const r = run(60, 0);
    t.diagnostic(`null, trends shared: ${r.below} of ${r.pairs} pairs p < 0.05 (${pct(r.below, r.pairs)}); coupled ${r.coupled} of ${r.sessions} (${pct(r.coupled, r.sessions)})`);
    assert.ok(r.below >= 0.02 * r.pairs && r.below <= 0.1 * r.pairs, pct(r.below, r.pairs));
    assert.ok(r.coupled <= 0.1 * r.sessions, pct(r.coupled, r.sessions));
  });
  it('a planted fluctuation link (r 0.45, thermal leading by 3 s) is found: ≥ 80 % coupled, lag −3 ± 1 s (50 seeds)', (t) => {
    const r = run(50, 0.45);
    t.diagnostic(`planted link: coupled ${r.coupled} of ${r.sessions} (${pct(r.coupled, r.sessions)}); grad_norm ~ temp_c lag within −3 ± 1 s in ${pct(r.lagRight, r.sessions)}`);
    assert.ok(r.coupled >= 0.8 * r.sessions, pct(r.coupled, r.sessions));
    assert.ok(r.lagRight >= 0.8 * r.sessions, pct(r.lagRight, r.sessions));
  });
  it('the alternatives to local detrending + prewhitening (RLE_COUPLING_SWEEP=1)', { skip: !process.env.RLE_COUPLING_SWEEP }, (t) => {
    for (const [name, tf] of Object.entries(TRANSFORMS)) {
      const a = run(60, 0, tf), b = run(60, 0.25, tf), c = run(60, 0.45, tf);
      t.diagnostic(`${name}: null ${pct(a.below, a.pairs)} of pairs p < 0.05, coupled ${pct(a.coupled, a.sessions)}; link 0.25: coupled ${pct(b.coupled, b.sessions)}, lag right ${pct(b.lagRight, b.sessions)}; link 0.45: coupled ${pct(c.coupled, c.sessions)}, lag right ${pct(c.lagRight, c.sessions)}`);
    }
  });
});
