/**
 * The throttle tax on seeded synthetic jobs: 200 steps of 0.30 s (100 W), 60 of them 1.1 s
 * (70 W) inside a throttled interval — 48 s and 2820 J lost by construction — first with the
 * throttled interval given, then end to end through the detector and the energy counter; and
 * the cases where no baseline can be formed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stepEnergy, stepIntervals, type StepInterval } from '../../src/analysis/step-cost.js';
import { throttleTax } from '../../src/analysis/throttle-tax.js';
import { THROTTLE_DEFAULTS as O } from '../../src/analysis/throttle/constants.js';
import { deviceThrottle } from '../../src/analysis/throttle/device.js';
import { throttledShareOf } from '../../src/analysis/throttle/intervals.js';
import { stepThrottleShares } from '../../src/analysis/throttle/step-share.js';
import { gauss, rng } from '../helpers.js';

const T0 = 1_700_000_000;
const N = 200, HIT0 = 100, HITS = 60;
const TRUE_LOST_S = HITS * (1.1 - 0.3);
const TRUE_LOST_J = HITS * (70 * 1.1 - 100 * 0.3);

interface Job {
  steps: StepInterval[];
  /** Per step: W during it. */
  watts: number[];
  throttled: { start: number; end: number };
}

/** Steps back to back from T0 (a 2 s first step: compile), σ_s of noise on every duration. */
function job(seed: number, sigmaS: number, n = N, slow = (i: number): boolean => i >= HIT0 && i < HIT0 + HITS, base = (_i: number): number => 0.3): Job {
  const u = rng(seed);
  let t = T0;
  const ends: { step: number; t: number; tokens: number }[] = [], watts: number[] = [];
  let start = 0, end = 0;
  for (let i = 0; i < n; i++) {
    const d = (i === 0 ? 2 : slow(i) ? 1.1 : base(i)) + sigmaS * gauss(u);
    if (slow(i) && !slow(i - 1)) start = t;
    t += Math.max(0.05, d);
    if (slow(i) && (i === n - 1 || !slow(i + 1))) end = t;
    ends.push({ step: i + 1, t, tokens: 4096 });
    watts.push(slow(i) ? 70 : 100);
  }
  return { steps: stepIntervals(ends, T0), watts, throttled: { start, end } };
}

const within = (x: number | null, truth: number, rel: number): boolean => x !== null && Math.abs(x - truth) <= rel * truth;

describe('throttle tax, the throttled interval given', () => {
  for (const sigma of [0.01, 0.03, 0.06]) {
    it(`σ ${sigma} s: lost seconds and joules within ±10 % of the truth, the intervals cover it`, (t) => {
      const j = job(100 + sigma * 1000, sigma);
      const shares = j.steps.map((s) => throttledShareOf([j.throttled], s.start!, s.end));
      const joules = j.steps.map((s, i) => j.watts[i]! * s.duration_s!);
      const r = throttleTax(j.steps, shares, joules);
      assert.equal(r.throttled_steps, HITS);
      assert.equal(r.warmup_steps, 10);
      assert.equal(r.note, null);
      assert.ok(Math.abs(r.baseline_step_s! - 0.3) < 0.02, `${r.baseline_step_s}`);
      assert.ok(within(r.lost_s, TRUE_LOST_S, 0.1), `${r.lost_s}`);
      assert.ok(r.lost_s_interval![0] <= TRUE_LOST_S && TRUE_LOST_S <= r.lost_s_interval![1], JSON.stringify(r.lost_s_interval));
      assert.ok(Math.abs(r.lost_share! - r.lost_s! / r.wall_s!) < 1e-12);
      const e = r.energy!;
      assert.ok(within(e.lost_j, TRUE_LOST_J, 0.1), `${e.lost_j}`);
      assert.ok(e.lost_j_interval![0] <= TRUE_LOST_J && TRUE_LOST_J <= e.lost_j_interval![1], JSON.stringify(e.lost_j_interval));
      t.diagnostic(`σ ${sigma}: lost ${r.lost_s!.toFixed(2)} s [${r.lost_s_interval!.map((x) => x.toFixed(2)).join(', ')}] (truth ${TRUE_LOST_S}), ${e.lost_j!.toFixed(0)} J [${e.lost_j_interval!.map((x) => x.toFixed(0)).join(', ')}] (truth ${TRUE_LOST_J})`);
    });
  }
  it('the 95 % interval covers the truth in most of 40 seeds (σ 0.03 s)', (t) => {
    let covered = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const j = job(seed, 0.03);
      const r = throttleTax(j.steps, j.steps.map((s) => throttledShareOf([j.throttled], s.start!, s.end)), null, { ...O, draws: 400 });
      // The truth is the construction's 48 s (60 steps × 0.8 s), not this realisation's.
      if (r.lost_s_interval![0] <= TRUE_LOST_S && TRUE_LOST_S <= r.lost_s_interval![1]) covered++;
    }
    t.diagnostic(`coverage ${covered} / 40`);
    assert.ok(covered >= 34, `${covered} / 40`);
  });
});

describe('throttle tax end to end: GPU reason bits at 1 Hz and an energy counter', () => {
  it('lost seconds and joules within ±10 % of the truth through the detector, shares and counter', (t) => {
    const j = job(7, 0.02);
    const last = j.steps.at(-1)!.end;
    // Telemetry at 1 Hz from T0 − 5: sw_thermal_slowdown while throttled; a counter integrating the power exactly.
    const ts: number[] = [];
    for (let x = T0 - 5; x <= last + 5; x += 1) ts.push(x);
    const reasons = ts.map((x) => (x >= j.throttled.start && x < j.throttled.end ? 0x20 : 0));
    const wattsAt = (x: number): number => (x >= j.throttled.start && x < j.throttled.end ? 70 : 100);
    let acc = 0;
    const joules = ts.map((x, i) => {
      if (i > 0) for (let k = 0; k < 100; k++) acc += wattsAt(ts[i - 1]! + (k + 0.5) / 100) / 100;
      return acc;
    });
    const dev = deviceThrottle({ t: ts, gpu_reasons: reasons });
    const shares = stepThrottleShares(j.steps, dev);
    const e = stepEnergy(j.steps, { t: ts, joules });
    const r = throttleTax(j.steps, shares, e.joules);
    assert.ok(within(r.lost_s, TRUE_LOST_S, 0.1), `${r.lost_s}`);
    assert.ok(r.lost_s_interval![0] <= TRUE_LOST_S && TRUE_LOST_S <= r.lost_s_interval![1], JSON.stringify(r.lost_s_interval));
    assert.ok(within(r.energy!.lost_j, TRUE_LOST_J, 0.1), `${r.energy!.lost_j}`);
    t.diagnostic(`end to end: ${r.throttled_steps} throttled, ${r.partial_steps} partial; lost ${r.lost_s!.toFixed(2)} s [${r.lost_s_interval!.map((x) => x.toFixed(2)).join(', ')}], ${r.energy!.lost_j!.toFixed(0)} J [${r.energy!.lost_j_interval!.map((x) => x.toFixed(0)).join(', ')}]`);
  });
});

describe('throttle tax: no baseline, no number', () => {
  it('too few unthrottled steps after warm-up → null with a note', () => {
    const j = job(3, 0.02, 40, (i) => i >= 8);
    const r = throttleTax(j.steps, j.steps.map((s) => throttledShareOf([j.throttled], s.start!, s.end)));
    assert.deepEqual([r.baseline_step_s, r.lost_s, r.lost_s_interval, r.lost_share], [null, null, null, null]);
    assert.equal(r.throttled_steps, 32);
    assert.match(r.note!, /^5 unthrottled steps after warm-up with a step time \(need ≥ 9\): no baseline/);
  });
  it('throughput that drifts without throttling (+50 % over the run) → null with a note; energy judged alike', () => {
    const j = job(4, 0.01, N, () => false, (i) => 0.3 * (1 + (0.5 * i) / N));
    const r = throttleTax(j.steps, j.steps.map(() => 0), j.steps.map((s) => 100 * s.duration_s!));
    assert.deepEqual([r.baseline_step_s, r.lost_s, r.throttled_steps], [null, null, 0]);
    assert.match(r.note!, /moves from 0\.3\d\d to 0\.4\d\d .*\(28 % > 20 %\) without throttling: no single baseline/);
    assert.equal(r.energy!.lost_j, null);
    assert.match(r.energy!.note!, /energy reading moves/);
  });
  it('…while a drift within 20 % still gives a baseline', () => {
    const j = job(4, 0.01, N, () => false, (i) => 0.3 * (1 + (0.1 * i) / N));
    const r = throttleTax(j.steps, j.steps.map(() => 0));
    assert.deepEqual([r.lost_s, r.lost_s_interval, r.note], [0, [0, 0], 'no step after warm-up was throttled']);
  });
  it('no throttle evidence for the steps → cannot tell; no steps → says so', () => {
    const j = job(5, 0.02);
    assert.match(throttleTax(j.steps, j.steps.map(() => null)).note!, /no throttle evidence/);
    assert.equal(throttleTax([], []).note, 'no training steps');
  });
  it('throttled warm-up steps are not charged, and the note says so', () => {
    const j = job(6, 0.02, N, (i) => (i >= 2 && i < 6) || (i >= HIT0 && i < HIT0 + HITS));
    const shares = j.steps.map((_, i) => ((i >= 2 && i < 6) || (i >= HIT0 && i < HIT0 + HITS) ? 1 : 0));
    const r = throttleTax(j.steps, shares);
    assert.equal(r.throttled_steps, HITS);
    assert.match(r.note!, /4 throttled steps in the warm-up are not charged/);
  });
});
