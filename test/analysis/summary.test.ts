import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SummaryBuilder } from '../../src/analysis/summary.js';
import type { MetricRow } from '../../src/core/engine.js';
import { throttleText } from '../../src/report/text-summary.js';

function metric(over: Partial<MetricRow> = {}): MetricRow {
  return {
    rle_smoothed: 1, rle_raw: 1, rle_norm: 0.5, E_th: 0.9, E_pw: 1.2, a_load: 0.5, t_sustain_s: 600,
    rolling_peak: 1, collapse: 0, power_source: 'measured', power_used_w: 50, ...over,
  };
}

describe('SummaryBuilder', () => {
  it('counts gaps (> 2 periods), collapse samples and events (runs), shares and means', () => {
    const b = new SummaryBuilder(1);
    const ts = [0, 1, 2, 5, 6, 7, 8, 20, 21, 22];
    const collapse = [0, 1, 1, 0, 1, 0, 0, 1, 1, 1];
    ts.forEach((t, i) =>
      b.add('gpu0', { t, util_pct: i === 0 ? null : 50, temp_c: i < 5 ? 60 + i : null, power_w: 10 * i, temp_src: i < 5 ? 'measured' : null, power_src: 'measured' }, metric({
        collapse: collapse[i] as 0 | 1,
        rle_smoothed: i,
        power_source: i % 2 ? 'measured' : 'estimated',
        power_used_w: 10 * i,
      })),
    );
    const d = b.result('s.csv', 11, 1).devices.gpu0!;
    assert.equal(d.samples, 10);
    assert.equal(d.duration_s, 22);
    assert.deepEqual(d.gaps, { count: 2, longest_s: 12 });
    assert.equal(d.longest_step_s, 12);
    assert.equal(d.collapse_samples, 6);
    assert.equal(d.collapse_rate, 0.6);
    assert.equal(d.collapse_events, 3);
    assert.deepEqual(d.rle_smoothed, { mean: 4.5, min: 0, max: 9 });
    // power statistics only where the metric used a reading (odd i: 10, 30, 50, 70, 90 W)
    assert.deepEqual(d.power_w, { mean: 50, max: 90, measured_share: 0.5, label: null });
    assert.deepEqual(d.temp_c, { mean: 62, max: 64, available_share: 0.5, label: null });
    assert.equal(d.util_pct_mean, 50); // the missing utilization is not averaged in as 0
  });
  it('calls throttling inferred only when every throttled second was inferred, and counts the inferred seconds', () => {
    const sample = (t: number) => ({ t, util_pct: 100, temp_c: 90, power_w: 40, temp_src: 'measured' as const, power_src: 'measured' as const });
    const run = (inferred: boolean[]) => {
      const b = new SummaryBuilder(1);
      b.add('cpu', sample(0), metric(), { throttled: 0, causes: [], inferred: false });
      inferred.forEach((inf, i) => b.add('cpu', sample(i + 1), metric(), { throttled: 1, causes: ['thermal'], inferred: inf }));
      return b.result('s', inferred.length + 1, 0).devices.cpu!.throttle!;
    };
    // Counters said so on two of three seconds: direct, with one second inferred.
    const mixed = run([true, false, false]);
    assert.equal(mixed.throttled_s, 3);
    assert.equal(mixed.inferred, false);
    assert.equal(mixed.inferred_s, 1);
    assert.match(throttleText(mixed), /THROTTLED 3(\.0)? s .*thermal \(1(\.0)? s of it inferred from temperature and clocks\)/);
    const inferred = run([true, true]);
    assert.equal(inferred.inferred, true);
    assert.match(throttleText(inferred), /thermal \(inferred from temperature and clocks\)$/);
    assert.doesNotMatch(throttleText(run([false, false])), /inferred/);
  });
  it('gives null where nothing can be computed and says why in notes', () => {
    const b = new SummaryBuilder(1);
    for (let i = 0; i < 40; i++) b.add('cpu', { t: i, util_pct: 10 + i, temp_c: 50, power_w: null, temp_src: 'recorded', power_src: null }, metric({ power_source: 'estimated' }));
    const d = b.result('s.csv', 40, 0).devices.cpu!;
    assert.deepEqual(d.power_w, { mean: null, max: null, measured_share: 0, label: null });
    assert.deepEqual(d.temp_c, { mean: null, max: null, available_share: 0, label: 'constant' }, 'a constant is not a reading');
    assert.equal(d.collapse_rate, null);
    assert.match(d.collapse_note!, /the temperature is a constant/);
    const notes = b.notes().join('\n');
    assert.match(notes, /cpu: no power reading/);
    assert.match(notes, /temp_c is 50 °C on all 40 samples while utilization ranged 10–49 %: a constant written by the recording tool/);
  });
  it('power that is an exact line in utilization (the old tools\' rated × util, rounded) is derived, not a reading', () => {
    const b = new SummaryBuilder(1);
    for (let i = 0; i < 60; i++) {
      const u = (i * 37) % 97;
      b.add('cpu', { t: i, util_pct: u, temp_c: null, power_w: Math.round(125 * u) / 100, temp_src: null, power_src: 'recorded' }, metric({ power_source: 'recorded' }));
    }
    const d = b.result('s.csv', 60, 0).devices.cpu!;
    assert.deepEqual([d.power_w.measured_share, d.power_w.label, d.power_w.mean], [0, 'derived', null]);
    assert.match(b.notes().join('\n'), /power is exactly -?0 \+ 1\.25 × util on all 60 samples/);
    // a real sensor's power is not a line in utilization
    const real = new SummaryBuilder(1);
    for (let i = 0; i < 60; i++) real.add('cpu', { t: i, util_pct: (i * 37) % 97, temp_c: null, power_w: 10 + ((i * 37) % 97) * 0.8 + Math.sin(i), temp_src: null, power_src: 'measured' }, metric());
    assert.equal(real.result('x', 60, 0).devices.cpu!.power_w.label, null);
  });
});
