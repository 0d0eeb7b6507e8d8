import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeSession } from '../../src/core/engine.js';
import { SPEC_COLUMNS } from '../../src/store/columns.js';
import { SessionCsvWriter, csvField, formatNumber } from '../../src/store/csv-writer.js';
import type { StoredThrottle } from '../../src/store/session-store.js';
import { rng } from '../helpers.js';

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

/** The line as the writer made it before #17 (one JSON.stringify per row), for comparison. */
function lineBefore17(extraColumns: readonly string[], r: Row, m: Metric, th: StoredThrottle | null): string {
  let nums = JSON.stringify([m.rle_smoothed, m.rle_raw, m.rle_norm, m.E_th, m.E_pw, r.temp_c, r.power_w, r.util_pct, m.a_load, m.t_sustain_s, m.rolling_peak]);
  nums = nums.slice(1, -1);
  if (nums.includes('null')) nums = nums.replaceAll('null', '');
  const throttled = th?.throttled === null || th?.throttled === undefined ? '' : String(th.throttled);
  let s = csvField(r.timestamp) + ',' + csvField(r.device) + ',' + nums + ',' + m.collapse + ',,' + m.power_source + ',' + throttled + ',' + (th?.causes ?? '');
  for (let i = 0; i < extraColumns.length; i++) s += ',' + csvField(r.extra[i] ?? '');
  return s + '\n';
}

type Row = Parameters<SessionCsvWriter['line']>[0];
type Metric = Parameters<SessionCsvWriter['line']>[1];

describe('SessionCsvWriter.line, as before #17', () => {
  const u = rng(17);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(u() * xs.length)]!;
  const number = (): number =>
    pick([
      () => u(),
      () => u() * 10 ** (Math.floor(u() * 40) - 20),
      () => -u() * 1000,
      () => Math.round(u() * 1e5) / 100,
      () => Math.floor(u() * 1000),
      () => pick([0, -0, NaN, Infinity, -Infinity, 1e21, 5e-324, Number.MAX_VALUE]),
    ])();
  const reading = (): number | null => (u() < 0.15 ? null : number());
  const text = (): string => pick(['', 'gpu0', 'cpu', 'a,b', 'say "hi"', 'two\nlines', 'ü日本', '😀', ' x ', 'r\r']);
  it('writes the same text for 20,000 random rows: numbers, missing and non-finite values, quoting, throttle answers', () => {
    const extraColumns = ['fan_pct', 'note'];
    const w = new SessionCsvWriter(extraColumns);
    for (let i = 0; i < 20_000; i++) {
      const r: Row = { timestamp: pick(['2025-01-01T00:00:00Z', '2025-01-01T00:00:00.123456Z', 'odd,"stamp"']), device: text(), util_pct: reading(), temp_c: reading(), power_w: reading(), extra: u() < 0.1 ? ['1'] : [text(), text()] };
      const m: Metric = {
        rle_smoothed: number(), rle_raw: number(), rle_norm: number(), E_th: number(), E_pw: number(), a_load: number(), t_sustain_s: number(), rolling_peak: number(),
        collapse: u() < 0.5 ? 0 : 1, power_source: pick(['measured', 'recorded', 'estimated', 'derived', 'constant', 'unavailable'] as const),
      };
      const th: StoredThrottle | null = u() < 0.5 ? null : { throttled: pick([0, 1, null] as const), causes: pick([null, 'thermal', 'thermal;power', ''] as const) };
      assert.equal(w.line(r, m, th), lineBefore17(extraColumns, r, m, th));
    }
  });
});
