/** Rule "inferred": temperature at the limit plus a clock drop while loaded. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { THROTTLE_DEFAULTS as O } from '../../../src/analysis/throttle/constants.js';
import { inferredRule } from '../../../src/analysis/throttle/inferred.js';
import { input } from './synth.js';

const hot = { util_pct: 95, temp_c: 89, temp_limit_c: 90 };

describe('rule: inferred', () => {
  it('abstains with neither temperature + limit nor a clock ratio (a bare temperature is not evidence)', () => {
    assert.equal(inferredRule(input({ util_pct: 100 }), null, O), null);
    assert.equal(inferredRule(input({ util_pct: 100, temp_c: 99 }), null, O), null);
  });
  it('loaded, within 2 °C of the limit, clock < 0.9 → throttled, thermal, inferred, with a reason', () => {
    const a = inferredRule(input({ ...hot, clock_ratio: 0.7 }), null, O)!;
    assert.deepEqual([a.throttled, a.causes, a.inferred], [1, ['thermal'], true]);
    assert.match(a.reason!, /at the limit.*0\.70/);
    assert.equal(inferredRule(input({ ...hot, temp_c: 88, clock_ratio: 0.7 }), null, O)!.throttled, 1); // limit − 2 exactly
  });
  it('clock ≥ 0.9 → not throttled, whatever the temperature', () => {
    const a = inferredRule(input({ ...hot, temp_c: 95, clock_ratio: 0.9 }), null, O)!;
    assert.deepEqual([a.throttled, a.inferred], [0, true]);
  });
  it('idle with low clocks → not throttled (power saving), even at the limit', () => {
    const a = inferredRule(input({ ...hot, util_pct: 10, clock_ratio: 0.3 }), null, O)!;
    assert.equal(a.throttled, 0);
    assert.match(a.reason!, /power saving/);
  });
  it('cannot tell: low clock but cool; low clock without a limit; at the limit without a clock; no utilization', () => {
    const cases = [
      input({ ...hot, temp_c: 80, clock_ratio: 0.7 }),
      input({ util_pct: 95, temp_c: 89, clock_ratio: 0.7 }),
      input({ ...hot }),
      input({ ...hot, util_pct: null, clock_ratio: 0.7 }),
    ];
    for (const c of cases) {
      const a = inferredRule(c, null, O)!;
      assert.equal(a.throttled, null, JSON.stringify(c));
      assert.ok(a.reason && a.reason.length > 10);
    }
  });
  it('the gates are the constants: a stricter margin turns the same sample to cannot tell', () => {
    assert.equal(inferredRule(input({ ...hot, temp_c: 88.5, clock_ratio: 0.7 }), null, { ...O, limitMarginC: 1 })!.throttled, null);
    assert.equal(inferredRule(input({ ...hot, util_pct: 60, clock_ratio: 0.7 }), null, { ...O, loadedPct: 80 })!.throttled, 0);
  });
});
