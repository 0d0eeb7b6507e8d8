/**
 * The detector on whole devices: an Intel-like CPU (counters), an AMD-like CPU (inferred), GPUs
 * (reason bits), and a device with no evidence. Seeded synthetic sessions (./synth.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, ThrottleStream } from '../../../src/analysis/throttle/detector.js';
import { deviceThrottle } from '../../../src/analysis/throttle/device.js';
import { gauss, rng } from '../../helpers.js';
import { cpuSession, input, iou } from './synth.js';

const truthSpan = (s: { truth: [number, number] }): { start: number; end: number }[] => [{ start: s.truth[0], end: s.truth[1] }];

describe('detector: combining the rules', () => {
  it('direct evidence wins over inferred: unchanged counters on a hot, slow CPU → not throttled', () => {
    const prev = input({ thermal_throttle_count: 5 });
    const a = judge(input({ thermal_throttle_count: 5, util_pct: 99, temp_c: 90, temp_limit_c: 90, clock_ratio: 0.6 }), prev);
    assert.deepEqual([a.throttled, a.inferred], [0, false]);
  });
  it('inferred answers only where no direct rule did: the first sample of a counter CPU', () => {
    const a = new ThrottleStream().push(input({ thermal_throttle_count: 5, util_pct: 99, temp_c: 90, temp_limit_c: 90, clock_ratio: 0.6 }));
    assert.deepEqual([a.throttled, a.inferred], [1, true]);
  });
  it('throttled from any direct rule unites the causes', () => {
    const a = judge(input({ power_limit_count: 2, gpu_reasons: 0x40 }), input({ power_limit_count: 1 }));
    assert.deepEqual([a.throttled, a.causes], [1, ['thermal', 'power']]);
  });
  it('nothing to judge by → cannot tell, never not throttled', () => {
    const a = judge(input({ util_pct: 100, temp_c: 99 }), null);
    assert.deepEqual([a.throttled, a.causes, a.inferred, a.reason], [null, [], false, 'no throttle evidence']);
  });
  it('the stream and the batch function give the same answers', () => {
    const s = cpuSession(3, 1, 0.05);
    const batch = deviceThrottle(s.cols).samples;
    const st = new ThrottleStream();
    const streamed = s.cols.t.map((t, i) => st.push(input({ t, util_pct: s.cols.util_pct[i]!, temp_c: s.cols.temp_c[i]!, temp_limit_c: 90, clock_ratio: s.cols.clock_ratio[i]! })));
    assert.deepEqual(streamed, batch);
  });
});

describe('detector: an Intel-like CPU with thermal_throttle counters', () => {
  const s = cpuSession(11, 1, 0.05);
  const u = rng(12);
  // The count advances by a few to tens each second while throttled, never otherwise; power-limit
  // counts stay put. A CPU goes offline once mid-throttle (its share of the sum leaves).
  let count = 1000;
  const thermal = s.phase.map((p) => (p === 'throttle' ? (count += 1 + Math.floor(20 * u())) : count));
  const offline = s.phase.indexOf('throttle') + 40;
  for (let i = offline; i < thermal.length; i++) thermal[i] = thermal[i]! - 300;
  const d = deviceThrottle({ ...s.cols, thermal_throttle_count: thermal, power_limit_count: thermal.map(() => 7) });
  it('finds the throttle phase from the counters (direct, thermal), across the reset', () => {
    assert.equal(d.intervals.length, 1, JSON.stringify(d.intervals));
    const [x] = d.intervals;
    assert.deepEqual([x!.causes, x!.inferred], [['thermal'], false]);
    assert.ok(iou(d.intervals, truthSpan(s)) > 0.95);
    // the reset leaves the counters mute for one interval: the inferred rule answers there
    assert.deepEqual([d.samples[offline]!.throttled, d.samples[offline]!.inferred], [1, true]);
  });
  it('outside it, the unchanged counters say not throttled (direct); only the first sample is inferred', () => {
    const outside = d.samples.filter((_, i) => s.phase[i] !== 'throttle');
    assert.ok(outside.slice(1).every((a) => a.throttled === 0 && !a.inferred));
    assert.equal(d.samples[0]!.inferred, true);
    assert.deepEqual(d.evidence, ['thermal_throttle counters', 'power limit counters', 'cpufreq', 'temperature limit']);
    assert.equal(d.note, null);
  });
});

describe('detector: an AMD-like CPU without counters (inferred)', () => {
  it('throttled where it is loaded, at the limit and slowed — inferred, thermal, with a reason', () => {
    const s = cpuSession(21, 1, 0.05);
    const d = deviceThrottle(s.cols);
    assert.ok(iou(d.intervals, truthSpan(s)) > 0.8, JSON.stringify(d.intervals));
    assert.ok(d.intervals.every((x) => x.inferred && x.causes.join() === 'thermal'));
    assert.ok(d.samples.filter((a) => a.throttled === 1).every((a) => a.inferred && /at the limit/.test(a.reason!)));
    assert.match(d.note!, /inferred/);
  });
  it('not when the clock stays ≥ 0.9 at the limit', () => {
    const s = cpuSession(22, 1, 0.02);
    const u = rng(22);
    const clock = s.cols.clock_ratio.map((c, i) => (s.phase[i] === 'throttle' ? 0.97 + 0.02 * gauss(u) : c));
    const d = deviceThrottle({ ...s.cols, clock_ratio: clock });
    assert.deepEqual(d.intervals, []);
    assert.ok(d.samples.filter((_, i) => s.phase[i] === 'throttle').every((a) => a.throttled === 0));
  });
  it('not when it is idle, at the limit with low clocks (power saving)', () => {
    const s = cpuSession(23, 1, 0.05);
    const util = s.cols.util_pct.map((x, i) => (s.phase[i] === 'throttle' ? 8 : x));
    const d = deviceThrottle({ ...s.cols, util_pct: util });
    assert.deepEqual(d.intervals, []);
    assert.ok(d.samples.filter((_, i) => s.phase[i] === 'throttle').every((a) => a.throttled === 0 && /power saving/.test(a.reason!)));
  });
});

describe('detector: GPUs with clocks_event_reasons', () => {
  const s = cpuSession(31, 1, 0.05);
  const masks = (inThrottle: number, outside: (i: number) => number): number[] => s.phase.map((p, i) => (p === 'throttle' ? inThrottle : outside(i)));
  const idleOr0 = (i: number): number => (s.phase[i] === 'idle' ? 0x1 : 0);
  it('SW and HW thermal slowdown → thermal, direct', () => {
    for (const m of [0x20, 0x40, 0x60 | 0x8]) {
      const d = deviceThrottle({ ...s.cols, gpu_reasons: masks(m, idleOr0) });
      assert.ok(iou(d.intervals, truthSpan(s)) > 0.99, m.toString(16));
      assert.equal(d.intervals.length, 1);
      assert.ok(d.intervals[0]!.causes.includes('thermal') && !d.intervals[0]!.inferred);
      assert.deepEqual(d.intervals[0]!.causes, m & 0x8 ? ['thermal', 'hardware'] : ['thermal']);
    }
  });
  it('SW power cap → power', () => {
    const d = deviceThrottle({ ...s.cols, gpu_reasons: masks(0x4, idleOr0) });
    assert.deepEqual(d.intervals.map((x) => x.causes), [['power']]);
    assert.deepEqual(d.evidence, ['cpufreq', 'clocks_event_reasons', 'temperature limit']);
  });
  it('idle and application-clock bits only → not throttled throughout (the reasons outrank the hot, slow phase)', () => {
    const d = deviceThrottle({ ...s.cols, gpu_reasons: masks(0x2, (i) => (s.phase[i] === 'idle' ? 0x1 : 0x3)) });
    assert.deepEqual(d.intervals, []);
    assert.ok(d.samples.every((a) => a.throttled === 0 && !a.inferred));
    assert.equal(d.throttled_share, 0);
  });
});

describe('detector: a device with no evidence at all', () => {
  it('is cannot tell throughout, with a note; never not throttled', () => {
    const s = cpuSession(41, 1, 0.05);
    const d = deviceThrottle({ t: s.cols.t, util_pct: s.cols.util_pct, temp_c: s.cols.temp_c });
    assert.ok(d.samples.every((a) => a.throttled === null));
    assert.deepEqual([d.intervals, d.evidence, d.throttled_share, d.throttled_s, d.unthrottled_s], [[], [], null, 0, 0]);
    assert.match(d.note!, /^no throttle evidence: no counters, no clock reasons, no temperature limit \(a temperature, but no limit for it\), no clock ratio — cannot tell$/);
  });
});
