/** Fingerprint features on seeded synthetic signals: statistics, shape features, missing sensors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptySeries, type DeviceSeries } from '../../src/replay/series.js';
import { dominantPeriod, FEATURE_NAMES, sessionWindows } from '../../src/fingerprint/features.js';
import { gauss, rng } from '../helpers.js';

function series(util: number[], o: { temp?: boolean; power?: boolean; dt?: number } = {}): DeviceSeries {
  const dt = o.dt ?? 1;
  return {
    ...emptySeries('cpu'),
    device: 'cpu', t: util.map((_, i) => 1e9 + i * dt), util_pct: util, temp_c: util.map((u) => (o.temp ? 40 + u / 5 : null)),
    power_w: util.map((u) => (o.power ? 10 + u : null)), power_estimated: util.map(() => (o.power ? 0 : 1)), power_provenance: {}, temp_provenance: {},
    rle_smoothed: util.map((u) => u / 200), rolling_peak: util.map(() => 1), E_th: util.map(() => 0.5), E_pw: util.map(() => 0.5), collapse: util.map((_, i) => (i % 10 === 0 ? 1 : 0)),
  };
}

const f = (w: number[], name: string): number => w[FEATURE_NAMES.indexOf(name)]!;

describe('fingerprint features', () => {
  it('cuts 30 s windows and computes the statistics of each', () => {
    const util = Array.from({ length: 90 }, (_, i) => (i < 30 ? 20 : i < 60 ? 60 : 20 + (i - 60)));
    const w = sessionWindows(series(util));
    assert.equal(w.length, 3);
    assert.equal(f(w[0]!.values, 'util_pct_mean'), 20);
    assert.equal(f(w[0]!.values, 'util_pct_sd'), 0);
    assert.equal(f(w[1]!.values, 'util_pct_q50'), 60);
    assert.ok(Math.abs(f(w[2]!.values, 'util_pct_slope_per_min') - 60) < 1e-9, 'ramp of 1 %/s = 60 %/min');
    assert.ok(Math.abs(f(w[0]!.values, 'collapse_rate') - 0.1) < 1e-9);
  });
  it('features of sensors that were not measured are missing, not zero', () => {
    const [w] = sessionWindows(series(Array.from({ length: 40 }, () => 50)));
    for (const name of FEATURE_NAMES.filter((n) => /^(power_w|temp_c|E_th|E_pw)_/.test(n))) assert.ok(Number.isNaN(f(w!.values, name)), name);
    const [w2] = sessionWindows(series(Array.from({ length: 40 }, () => 50), { temp: true, power: true }));
    assert.equal(f(w2!.values, 'power_w_mean'), 60);
    assert.equal(f(w2!.values, 'temp_c_mean'), 50);
  });
  it('finds the period of a sine and a square wave, and the duty cycle of a square one', () => {
    const sine = Array.from({ length: 120 }, (_, i) => 50 + 40 * Math.sin((2 * Math.PI * i) / 20));
    assert.ok(Math.abs(dominantPeriod(sine, 1) - 20) < 0.5);
    const square = Array.from({ length: 120 }, (_, i) => (i % 12 < 3 ? 90 : 5));
    const [w] = sessionWindows(series(square), 120);
    assert.ok(Math.abs(f(w!.values, 'util_period_s') - 12) < 0.5);
    assert.ok(Math.abs(f(w!.values, 'util_duty_cycle') - 0.25) < 0.02);
  });
  it('burstiness and autocorrelation tell noise from a smooth signal', () => {
    const u = rng(3);
    const noise = Array.from({ length: 300 }, () => 50 + 10 * gauss(u));
    const smooth = Array.from({ length: 300 }, (_, i) => 50 + 30 * Math.sin(i / 10));
    const [a] = sessionWindows(series(noise), 300);
    const [b] = sessionWindows(series(smooth), 300);
    assert.ok(f(a!.values, 'util_burstiness') > 1.1 && f(b!.values, 'util_burstiness') < 0.3);
    assert.ok(Math.abs(f(a!.values, 'util_acf1')) < 0.2 && f(b!.values, 'util_acf1') > 0.9);
  });
  it('skips a session too short for a window', () => {
    assert.equal(sessionWindows(series([1, 2, 3])).length, 0);
  });
});
