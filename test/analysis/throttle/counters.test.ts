/** Rule "counters": Intel thermal_throttle counters that advance, stay, or reset. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { THROTTLE_DEFAULTS as O } from '../../../src/analysis/throttle/constants.js';
import { countersRule } from '../../../src/analysis/throttle/counters.js';
import { input } from './synth.js';

describe('rule: counters', () => {
  it('abstains on the first sample (no previous value) and where no counter is offered', () => {
    assert.equal(countersRule(input({ thermal_throttle_count: 5 }), null, O), null);
    assert.equal(countersRule(input({ temp_c: 99 }), input({ temp_c: 99 }), O), null);
  });
  it('a thermal count that advanced → throttled, thermal, direct', () => {
    const a = countersRule(input({ thermal_throttle_count: 12 }), input({ thermal_throttle_count: 10 }), O)!;
    assert.deepEqual([a.throttled, a.causes, a.inferred], [1, ['thermal'], false]);
    assert.match(a.reason!, /thermal throttle count \+2/);
  });
  it('throttle time that advanced alone (a throttle that persists) → thermal', () => {
    const a = countersRule(input({ thermal_throttle_count: 10, throttle_time_ms: 1500 }), input({ thermal_throttle_count: 10, throttle_time_ms: 700 }), O)!;
    assert.deepEqual([a.throttled, a.causes], [1, ['thermal']]);
    assert.match(a.reason!, /throttle time \+800 ms/);
  });
  it('a power-limit count that advanced → power; both → thermal and power', () => {
    assert.deepEqual(countersRule(input({ power_limit_count: 4, thermal_throttle_count: 1 }), input({ power_limit_count: 3, thermal_throttle_count: 1 }), O)!.causes, ['power']);
    assert.deepEqual(countersRule(input({ power_limit_count: 4, thermal_throttle_count: 2 }), input({ power_limit_count: 3, thermal_throttle_count: 1 }), O)!.causes, ['thermal', 'power']);
  });
  it('present and unchanged → not throttled', () => {
    const a = countersRule(input({ thermal_throttle_count: 7, power_limit_count: 0 }), input({ thermal_throttle_count: 7, power_limit_count: 0 }), O)!;
    assert.deepEqual([a.throttled, a.causes, a.inferred], [0, [], false]);
  });
  it('a decrease (reset: a CPU went offline) is not an advance, and hides any: cannot tell', () => {
    const a = countersRule(input({ thermal_throttle_count: 3, power_limit_count: 9 }), input({ thermal_throttle_count: 40, power_limit_count: 9 }), O)!;
    assert.equal(a.throttled, null);
    assert.match(a.reason!, /went down/);
    // …unless another counter advanced in the same interval
    assert.equal(countersRule(input({ thermal_throttle_count: 3, power_limit_count: 10 }), input({ thermal_throttle_count: 40, power_limit_count: 9 }), O)!.throttled, 1);
  });
  it('a counter missing on either side is skipped, not read as zero', () => {
    assert.equal(countersRule(input({ thermal_throttle_count: 5 }), input({ thermal_throttle_count: null }), O), null);
  });
});
