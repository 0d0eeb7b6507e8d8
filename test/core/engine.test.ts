/** The engine on seeded synthetic signals: steady load, a sustained throttling drop, no temperature. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeviceStream, SessionEngine, computeSession, type DeviceSample, type MetricRow } from '../../src/core/engine.js';
import { resolveDeviceParams } from '../../src/core/device.js';
import { gauss, rng } from '../helpers.js';

const NOISE_LEVELS = [0, 1, 3]; // utilization noise, percentage points (sd)
const SEEDS = [1, 2, 3, 4, 5];

function run(device: string, samples: DeviceSample[], opts = {}): MetricRow[] {
  return computeSession(samples.map((s) => ({ ...s, device })), opts);
}

/** Steady training-like load: util 85 %, 100 W of 125, 62 °C, each with noise. */
function steady(n: number, seed: number, utilSd: number): DeviceSample[] {
  const u = rng(seed);
  return Array.from({ length: n }, () => ({
    device: 'cpu',
    util_pct: 85 + utilSd * gauss(u),
    temp_c: 62 + 0.1 * gauss(u),
    power_w: 100 + 2 * gauss(u),
  }));
}

/**
 * A sustained throttle: util 90 % flat, temperature climbing 0.2 °C/s from 50 °C (heating on
 * every sample), power 100 W until K0, then 200 W (a_load 1.6 > power evidence 0.95).
 * rle_raw halves at K0; rle_smoothed (mean of 5) first falls under 0.65 × peak when 4 of its 5
 * values are post-step: sample K0 + 3. The collapse needs `hysteresis` such samples in a row,
 * so the first collapse is at K0 + 3 + hysteresis − 1.
 */
const K0 = 100;
function throttle(n: number, seed: number, withTemp = true, heating = 0.2): DeviceSample[] {
  const u = rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    device: 'cpu',
    util_pct: 90,
    temp_c: withTemp ? 50 + heating * i + 0.01 * (u() - 0.5) : null,
    power_w: (i < K0 ? 100 : 200) + (u() - 0.5),
  }));
}

const firstCollapse = (rows: MetricRow[]): number => rows.findIndex((r) => r.collapse === 1);

describe('engine: steady load', () => {
  for (const sd of NOISE_LEVELS) {
    it(`never collapses under steady load (util noise ${sd} pp, seeds ${SEEDS.join(',')})`, () => {
      for (const seed of SEEDS) {
        const rows = run('cpu', steady(1800, seed, sd));
        assert.equal(rows.filter((r) => r.collapse).length, 0, `seed ${seed}`);
        assert.ok(rows.every((r) => Number.isFinite(r.rle_smoothed) && r.rle_norm >= 0 && r.rle_norm <= 1));
      }
    });
  }
});

describe('engine: sustained drop with heating and evidence', () => {
  for (const seed of SEEDS) {
    it(`collapses exactly after the hysteresis (seed ${seed})`, () => {
      const rows = run('cpu', throttle(200, seed));
      assert.equal(firstCollapse(rows), K0 + 3 + 7 - 1);
      // and stays collapsed while the drop, the heating and the evidence last
      assert.ok(rows.slice(K0 + 9, K0 + 40).every((r) => r.collapse === 1));
    });
  }
  it('honours an overridden hysteresis and drop fraction', () => {
    assert.equal(firstCollapse(run('cpu', throttle(200, 1), { detector: { hysteresis: 3 } })), K0 + 3 + 3 - 1);
    // a drop fraction of 0.4 is not reached by a halving (while the limit is still 3 °C away)
    assert.equal(firstCollapse(run('cpu', throttle(160, 1), { detector: { dropFrac: 0.4 } })), -1);
  });
  it('does not collapse without a temperature (a known quirk of the spec)', () => {
    assert.equal(firstCollapse(run('cpu', throttle(200, 1, false))), -1);
  });
  it('does not collapse when the temperature is flat (no heating)', () => {
    assert.equal(firstCollapse(run('cpu', throttle(200, 1, true, 0))), -1);
  });
  it('does not collapse without evidence (power within rating, far from the limit)', () => {
    // 200 W is within a 500 W rating: a_load 0.4, no power evidence; t_sustain ≥ 60 s early on.
    const rows = run('cpu', throttle(130, 1, true, 0.1), { rated: { cpu: 500 } });
    assert.equal(firstCollapse(rows), -1);
  });
});

describe('engine: provenance and parameters', () => {
  it('marks power as estimated when missing or ≤ 0, and uses rated × util then', () => {
    const rows = run('gpu0', [
      { device: 'gpu0', util_pct: 50, temp_c: 60, power_w: null },
      { device: 'gpu0', util_pct: 50, temp_c: 60, power_w: 0 },
      { device: 'gpu0', util_pct: 50, temp_c: 60, power_w: 80 },
    ]);
    assert.deepEqual(rows.map((r) => r.power_source), ['estimated', 'estimated', 'measured']);
    assert.equal(rows[0]!.power_used_w, 100); // GPU rated 200 W × 0.5
    assert.equal(rows[0]!.E_pw, 1); // E_pw carries no information when power is estimated
    assert.equal(rows[2]!.a_load, 0.4);
  });
  it('resolves rated power and limits by exact device name before class', () => {
    const opts = { rated: { gpu: 300, gpu1: 450 }, limit: { cpu: 95 } };
    assert.equal(resolveDeviceParams('gpu0', opts).ratedPowerW, 300);
    assert.equal(resolveDeviceParams('gpu1', opts).ratedPowerW, 450);
    assert.equal(resolveDeviceParams('cpu1', opts).tempLimitC, 95);
    assert.equal(resolveDeviceParams('heater', opts).ratedPowerW, 100);
    assert.equal(resolveDeviceParams('heater', opts).deviceClass, 'other');
  });
  it('keeps each device its own stream, in any interleaving', () => {
    const a = throttle(150, 7);
    const b = steady(150, 8, 1).map((s) => ({ ...s, device: 'gpu0' }));
    const interleaved: DeviceSample[] = [];
    a.forEach((s, i) => interleaved.push(s, b[i]!));
    const both = computeSession(interleaved);
    assert.deepEqual(both.filter((_, i) => i % 2 === 0), computeSession(a));
    assert.deepEqual(both.filter((_, i) => i % 2 === 1), computeSession(b));
  });
  it('streaming and batch forms agree', () => {
    const samples = throttle(150, 3);
    const stream = new DeviceStream(resolveDeviceParams('cpu'));
    assert.deepEqual(samples.map((s) => stream.push(s)), computeSession(samples));
    const engine = new SessionEngine();
    samples.forEach((s) => engine.push('cpu', s));
    assert.deepEqual(engine.devices(), ['cpu']);
  });
  it('uses dt for the heating rate: the same samples at 10 Hz reach the limit sooner', () => {
    const s = throttle(20, 1);
    const at1 = computeSession(s);
    const at10 = computeSession(s, { dtS: 0.1 });
    assert.ok(at10[10]!.t_sustain_s < at1[10]!.t_sustain_s / 5);
  });
  it('rejects impossible parameters as programmer errors', () => {
    assert.throws(() => computeSession(steady(3, 1, 0), { detector: { window: 0 } }), RangeError);
    assert.throws(() => computeSession(steady(3, 1, 0), { rated: { cpu: -5 } }), RangeError);
  });
  it('treats a missing utilization as 0 and clamps to 0–100 (spec step 1)', () => {
    const rows = run('cpu', [
      { device: 'cpu', util_pct: null, temp_c: null, power_w: 10 },
      { device: 'cpu', util_pct: 150, temp_c: null, power_w: 10 },
    ]);
    assert.equal(rows[0]!.rle_raw, 0);
    assert.equal(rows[1]!.E_pw, 1 / (10 / 125));
  });
});
