/**
 * The report's throttle and cost summary on synthetic devices with a known throttle phase: how
 * the headline words inferred evidence and the lost time's interval.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ThrottleColumns } from '../../src/analysis/throttle/device.js';
import { costSummary } from '../../src/report/throttle-summary.js';
import type { StepRecord } from '../../src/store/session-store.js';
import { cpuSession, PHASES, T0 } from '../analysis/throttle/synth.js';
import { sessionData } from './session-data.js';

const N = PHASES.reduce((a, [, len]) => a + len, 0);
const nulls = (n: number): null[] => Array.from({ length: n }, () => null);

/** A device throttled in the synthetic session's phase; thermal_throttle counters advance there when `counters`. */
function columns(seed: number, counters: boolean, shiftS = 0): ThrottleColumns {
  const s = cpuSession(seed, 0.2, 0.01);
  let count = 0;
  return {
    ...s.cols,
    t: s.cols.t.map((t) => t + shiftS),
    thermal_throttle_count: counters ? s.phase.map((p) => (p === 'throttle' ? (count += 3) : count)) : nulls(N),
    power_limit_count: nulls(N),
    throttle_time_ms: nulls(N),
    gpu_reasons: nulls(N),
  };
}

/** One step a second: 0.5 s normally, 0.8 s inside [from, to). */
function steps(from: number, to: number, n: number): StepRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const start = T0 + i, d = start >= from && start < to ? 0.8 : 0.5;
    return { step: i + 1, t: start + d, t_start: start, t_source: 'own', loss: 3, grad_norm: 1, learning_rate: 1e-4, tokens: 512, epoch: null };
  });
}

function summaryOf(cols: ThrottleColumns, st: StepRecord[] = []): ReturnType<typeof costSummary> {
  const data = sessionData(cols.t.length);
  data.devices[0]!.throttle = cols;
  data.devices[0]!.t = [...cols.t];
  data.steps = st;
  return costSummary(data, ['cpu']);
}

const concat = (a: ThrottleColumns, b: ThrottleColumns): ThrottleColumns => {
  const col = (x: ThrottleColumns, k: string): unknown[] => [...((x as unknown as Record<string, readonly unknown[]>)[k] ?? [])];
  return Object.fromEntries(Object.keys(a).map((k) => [k, [...col(a, k), ...col(b, k)]])) as unknown as ThrottleColumns;
};

describe('costSummary headline', () => {
  it('says (inferred) when every throttled interval was inferred, nothing when none was', () => {
    const inferred = summaryOf(columns(1, false));
    assert.match(inferred.headline, /^cpu throttled \d+\.\d s \(\d+ %\), thermal \(inferred\)/);
    const direct = summaryOf(columns(1, true));
    assert.match(direct.headline, /^cpu throttled \d+\.\d s \(\d+ %\), thermal(;|$)/);
  });

  it('says (partly inferred) when some intervals had direct evidence and others were inferred', () => {
    const s = summaryOf(concat(columns(1, true), columns(2, false, N)));
    const ivs = s.throttle.cpu!.intervals;
    assert.ok(ivs.some((x) => x.inferred) && ivs.some((x) => !x.inferred), JSON.stringify(ivs));
    assert.match(s.headline, /thermal \(partly inferred\)/);
  });

  it('gives the lost time with both ends of its interval, not a ±', () => {
    const cols = columns(3, true);
    const s = cpuSession(3, 0.2, 0.01);
    const st = steps(s.truth[0], s.truth[1], N - 5);
    const sum = summaryOf(cols, st);
    const tax = sum.throttle_tax;
    assert.ok(tax.lost_s !== null && tax.lost_s_interval !== null, tax.note ?? '');
    const [lo, hi] = tax.lost_s_interval;
    assert.ok(lo <= tax.lost_s && tax.lost_s <= hi, `${lo} ≤ ${tax.lost_s} ≤ ${hi}`);
    // 150 throttled steps each 0.3 s slower: 45 s lost (the interval's edges may clip a step).
    assert.ok(Math.abs(tax.lost_s - 45) < 3, `lost ${tax.lost_s}`);
    assert.match(sum.headline, new RegExp(`the job lost ${tax.lost_s.toFixed(1)} s \\(95 % interval ${lo.toFixed(1)}–${hi.toFixed(1)} s\\) — \\d+ % of its wall time`));
    assert.doesNotMatch(sum.headline, /±/);
  });
});
