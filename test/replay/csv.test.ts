import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { replayCsv } from '../../src/replay/csv.js';
import type { MetricRow } from '../../src/core/engine.js';
import type { SessionRow } from '../../src/store/csv-reader.js';

async function replay(text: string): Promise<{ rows: SessionRow[]; metrics: MetricRow[] }> {
  const rows: SessionRow[] = [], metrics: MetricRow[] = [];
  await replayCsv(Readable.from([text]), { source: 't.csv' }, {}, { onBatch: (r, m) => void (rows.push(...r), metrics.push(...m)) });
  return { rows, metrics };
}

describe('replayCsv', () => {
  it('every value of a file is recorded, never measured', async () => {
    const { rows, metrics } = await replay('timestamp,device,util_pct,temp_c,power_w\n2025-01-01T00:00:00Z,cpu,50,60,40\n2025-01-01T00:00:01Z,cpu,55,,\n');
    assert.deepEqual(rows.map((r) => [r.util_src, r.temp_src, r.power_src]), [['recorded', 'recorded', 'recorded'], ['recorded', null, null]]);
    assert.deepEqual(metrics.map((m) => m.power_source), ['recorded', 'estimated']);
  });
  it("an rle export's own power_source column is believed (only its known words)", async () => {
    const { metrics } = await replay('timestamp,device,util_pct,power_w,power_source\n2025-01-01T00:00:00Z,cpu,50,40,measured\n2025-01-01T00:00:01Z,cpu,50,40,estimated\n2025-01-01T00:00:02Z,cpu,50,40,trust-me\n');
    assert.deepEqual(metrics.map((m) => m.power_source), ['measured', 'estimated', 'recorded']);
  });
});
