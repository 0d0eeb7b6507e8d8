import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeSession } from '../../src/core/engine.js';
import { SPEC_COLUMNS } from '../../src/store/columns.js';
import { SessionCsvWriter, csvField, formatNumber } from '../../src/store/csv-writer.js';

describe('SessionCsvWriter', () => {
  it('writes numbers in shortest round-trip form and empty for missing', () => {
    for (const x of [0.1 + 0.2, 1 / 3, 1e-7, 125, -2.5, 6.02e23]) assert.equal(Number(formatNumber(x)), x);
    assert.equal(formatNumber(0.1 + 0.2), '0.30000000000000004');
    assert.equal(formatNumber(-0), '0');
    assert.equal(formatNumber(null), '');
    assert.equal(formatNumber(NaN), '');
  });
  it('quotes fields only when needed', () => {
    assert.equal(csvField('gpu0'), 'gpu0');
    assert.equal(csvField('a,"b"'), '"a,""b"""');
  });
  it('emits the spec columns in order, then power_source, then extras', () => {
    const w = new SessionCsvWriter(['fan_pct']);
    assert.equal(w.headerLine(), [...SPEC_COLUMNS, 'power_source', 'throttled', 'throttle_causes', 'fan_pct'].join(',') + '\n');
    const row = { line: 2, timestamp: '2025-01-01T00:00:00Z', t: 0, device: 'gpu0', util_pct: 50, temp_c: null, power_w: null, extra: ['40'] };
    const [m] = computeSession([{ ...row }]);
    const fields = w.line(row, m!).trimEnd().split(',');
    assert.equal(fields.length, SPEC_COLUMNS.length + 4);
    assert.equal(fields[7], ''); // temp_c: missing stays missing
    assert.equal(fields[8], ''); // power_w: the estimate is not written as a reading
    assert.equal(fields[15], 'estimated');
    assert.deepEqual([fields[16], fields[17]], ['', ''], 'not judged: throttled empty (cannot tell), no causes');
    assert.equal(fields[18], '40');
    const judged = w.line(row, m!, { throttled: 1, causes: 'thermal;power' }).trimEnd().split(',');
    assert.deepEqual([judged[16], judged[17]], ['1', 'thermal;power']);
  });
});
