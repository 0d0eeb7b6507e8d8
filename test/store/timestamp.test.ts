import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTimestamp } from '../../src/store/timestamp.js';

describe('parseTimestamp', () => {
  it('keeps microseconds and the canonical Z form as is', () => {
    const p = parseTimestamp('2025-10-27T09:04:30.204129Z')!;
    assert.equal(p.iso, '2025-10-27T09:04:30.204129Z');
    assert.ok(Math.abs(p.t - (Date.UTC(2025, 9, 27, 9, 4, 30) / 1000 + 0.204129)) < 1e-6);
  });
  it('reads +00:00, other offsets, a space separator and offset-less times (as UTC)', () => {
    const z = parseTimestamp('2025-10-27T15:40:00Z')!.t;
    assert.equal(parseTimestamp('2025-10-27 15:40:00+00:00')!.t, z);
    assert.equal(parseTimestamp('2025-10-27T10:40:00-05:00')!.t, z);
    assert.equal(parseTimestamp('2025-10-27T17:40:00+0200')!.t, z);
    assert.equal(parseTimestamp('2025-10-27T15:40:00')!.t, z);
    assert.equal(parseTimestamp('2025-10-27T10:40:00.5-05:00')!.iso, '2025-10-27T15:40:00.5Z');
    assert.equal(parseTimestamp('2025-10-29T00:54:13.637638')!.iso, '2025-10-29T00:54:13.637638Z');
  });
  it('rejects what is not an ISO 8601 date-time', () => {
    for (const bad of ['', '0', '1', '255', 'yesterday', '2025-10-27', '2025-13-01T00:00:00Z', '2025-02-29T00:00:00Z',
      '2025-10-32T00:00:00Z', '2025-10-27T24:00:00Z', '2025-10-27T12:00:00+25:00', '27/10/2025 12:00', '1761577470']) {
      assert.equal(parseTimestamp(bad), null, bad);
    }
    assert.notEqual(parseTimestamp('2024-02-29T00:00:00Z'), null);
  });
});
