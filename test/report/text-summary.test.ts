import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SummaryBuilder } from '../../src/analysis/summary.js';
import { duration, fmt, pct, plural } from '../../src/report/format.js';
import { renderSummary, renderTraining } from '../../src/report/text-summary.js';

describe('text summaries', () => {
  it('formats numbers for people', () => {
    assert.deepEqual([fmt(1234.5), fmt(0.000123), fmt(12.3456), fmt(null), fmt(0)], ['1235', '1.2e-4', '12.3', 'n/a', '0']);
    assert.deepEqual([pct(0.5), pct(0.0004), pct(null)], ['50.0%', '0.040%', 'n/a']);
    assert.deepEqual([duration(59), duration(600), duration(36_000)], ['59 s', '10.0 min', '10.00 h']);
    assert.deepEqual([plural(1, 'step'), plural(2, 'step')], ['1 step', '2 steps']);
  });
  it('one block per device with units, then the notes', () => {
    const b = new SummaryBuilder(1);
    for (let i = 0; i < 5; i++) b.add('gpu0', { t: i, util_pct: 90, temp_c: 70, power_w: 200, temp_src: 'measured', power_src: 'measured' }, { rle_smoothed: 0.5, E_th: 0.9, E_pw: 1, collapse: 0, power_source: 'measured' });
    const text = renderSummary(b.result('x.csv', 5, 0), ['a note']);
    assert.match(text, /^x\.csv: 5 rows, 0 malformed, 1 device\n\ngpu0: 5 samples over 4 s, 0 gaps\n/);
    assert.match(text, /power {9}mean 200 W, max 200 W, a reading on 100\.0% of samples/);
    assert.match(text, /\nNotes:\n {2}- a note\n$/);
    const t = renderTraining('S', { status: 'completed', steps: 1, wall_s: 2, loss_first: 4, loss_last: 3, loss_change_pct: -25, samples_per_s: 2, tokens_per_s: 256, kernels: null });
    assert.equal(t, 'training completed: session S, 1 step in 2 s\n  loss 4 → 3 (-25.0 %)\n  2 samples/s, 256 tokens/s\n');
  });
});
