/** The batch form's per-device report: evidence offered, notes, throttled time and share, known time. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deviceThrottle, inputAt } from '../../../src/analysis/throttle/device.js';

const t = [0, 1, 2, 3, 4, 5, 6, 7];

describe('device throttle report', () => {
  it('a missing column is all null; non-finite readings are null', () => {
    assert.deepEqual(inputAt({ t, temp_c: [NaN, 50] }, 0), { t: 0, util_pct: null, temp_c: null, temp_limit_c: null, clock_ratio: null, thermal_throttle_count: null, power_limit_count: null, throttle_time_ms: null, gpu_reasons: null });
    assert.equal(inputAt({ t, temp_c: [NaN, 50] }, 1).temp_c, 50);
  });
  it('notes say what was missing when there is no direct evidence', () => {
    const clockOnly = deviceThrottle({ t, util_pct: t.map(() => 90), clock_ratio: t.map(() => 0.7) });
    assert.deepEqual(clockOnly.evidence, ['cpufreq']);
    assert.match(clockOnly.note!, /no temperature limit/);
    assert.ok(clockOnly.samples.every((s) => s.throttled === null)); // slow, but heat cannot be told from a power limit
    const limitOnly = deviceThrottle({ t, util_pct: t.map(() => 90), temp_c: t.map(() => 89), temp_limit_c: t.map(() => 90) });
    assert.deepEqual(limitOnly.evidence, ['temperature limit']);
    assert.match(limitOnly.note!, /no clock ratio/);
    assert.equal(deviceThrottle({ t, gpu_reasons: t.map(() => 0) }).note, null);
  });
  it('throttled_share counts answered time only; known time covers the answered samples and the intervals', () => {
    // 0 0 1 1 n n 0 0 (GPU reasons; two nulls are not bridged): 2 s throttled, 4 s not, 2 s unknown
    const m = [0, 0, 0x20, 0x20, null, null, 0, 0];
    const d = deviceThrottle({ t, gpu_reasons: m });
    assert.deepEqual([d.throttled_s, d.unthrottled_s, d.throttled_share], [2, 4, 2 / 6]);
    assert.deepEqual(d.known, [{ start: 0, end: 4 }, { start: 6, end: 8 }]);
  });
});
