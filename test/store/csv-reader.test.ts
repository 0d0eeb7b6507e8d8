import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { RleError } from '../../src/errors.js';
import { SessionCsvReader, type SessionRow } from '../../src/store/csv-reader.js';
import { fixtureText } from '../helpers.js';

/** Feeds `text` in chunks of `size` characters, to exercise rows split across chunks. */
async function read(text: string, size = 1 << 20, device?: string) {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  const reader = new SessionCsvReader(Readable.from(chunks.map((c) => Buffer.from(c))), { source: 'x.csv', device });
  const rows: SessionRow[] = [];
  for await (const b of reader.batches()) rows.push(...b);
  return { rows, reader };
}

async function readError(text: string): Promise<RleError> {
  try {
    await read(text);
  } catch (e) {
    assert.ok(e instanceof RleError);
    return e;
  }
  assert.fail('expected an error');
}

describe('SessionCsvReader', () => {
  it('reads the seed pc session: 26 malformed rows skipped with their lines, short GPU rows fine', async () => {
    const { rows, reader } = await read(fixtureText('golden/pc_rle_20251027_09.in.csv.gz'), 4096);
    assert.equal(reader.stats.rows, 11587);
    assert.equal(reader.stats.malformed.count, 26);
    assert.deepEqual(reader.stats.malformed.lines, [4160, 4600, 5198, 5404, 5767]);
    assert.equal(rows.length, 11561);
    const short = await read(fixtureText('golden/pc_rle_20251028_08.in.csv.gz'), 1000);
    const gpu = short.rows.filter((r) => r.device === 'gpu');
    assert.equal(gpu.length, 2160);
    assert.ok(gpu.every((r) => r.temp_c !== null && r.power_w !== null));
    assert.deepEqual(short.reader.header!.extraColumns, ['vram_temp_c', 'fan_pct', 'cpu_freq_ghz', 'cycles_per_joule']);
  });
  it('gives the same rows whatever the chunk size', async () => {
    const text = fixtureText('golden/desktop-live_latest.in.csv.gz');
    const part = text.slice(0, 20000); // ends mid-row: the tail is parsed at the end
    const whole = (await read(part)).rows;
    assert.ok(whole.length > 100);
    for (const size of [1, 7, 333]) assert.deepEqual((await read(part, size)).rows, whole);
  });
  it('handles CRLF, a BOM, blank lines, quoted fields with commas and newlines, and line numbers', async () => {
    const text = '\ufefftimestamp,device,util_pct,temp_c,power_w,note\r\n' +
      '2025-01-01T00:00:00Z,cpu,50,60,70,"a, b"\r\n' +
      '\r\n' +
      '2025-01-01T00:00:01Z,cpu,51,,,"two\r\nlines"\r\n' +
      'not-a-time,cpu,1,2,3,x\r\n';
    const { rows, reader } = await read(text, 5);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows.map((r) => r.line), [2, 4]);
    assert.equal(rows[0]!.extra[0], 'a, b');
    assert.equal(rows[1]!.temp_c, null);
    assert.equal(rows[1]!.extra[0], 'two\r\nlines');
    assert.deepEqual(reader.stats.malformed.lines, [6]);
  });
  it('switches between the plain and the quoted tokenizer mid-file without losing rows or lines', async () => {
    let text = 'timestamp,device,util_pct,note\n';
    for (let i = 0; i < 3000; i++) text += `2025-01-01T00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z,cpu,${i % 100},plain\n`;
    text += '2025-01-01T01:00:00Z,cpu,5,"quoted, with\na newline"\n2025-01-01T01:00:01Z,cpu,6,after\n';
    for (const size of [7, 4096, 1 << 20]) {
      const { rows } = await read(text, size);
      assert.equal(rows.length, 3002, `chunk ${size}`);
      assert.equal(rows[3000]!.extra[0], 'quoted, with\na newline');
      assert.deepEqual([rows[2999]!.line, rows[3000]!.line, rows[3001]!.line], [3001, 3002, 3004]);
    }
  });
  it('reads "nan" as missing and counts other non-numbers', async () => {
    const { rows, reader } = await read('timestamp,device,util_pct,temp_c\n2025-01-01T00:00:00Z,cpu,nan,abc\n');
    assert.equal(rows[0]!.util_pct, null);
    assert.equal(rows[0]!.temp_c, null);
    assert.deepEqual(reader.stats.badValues, { count: 1, lines: [2] });
  });
  it('uses --device for files without a device column', async () => {
    const { rows } = await read('timestamp,util_pct\n2025-01-01T00:00:00Z,5\n', undefined, 'heater');
    assert.equal(rows[0]!.device, 'heater');
  });
  it('fails clearly on what is not a session CSV', async () => {
    let e = await readError('');
    assert.equal(e.code, 'E_INPUT_FORMAT');
    assert.match(e.message, /empty/);
    e = await readError('time,device,util_pct\n');
    assert.equal(e.code, 'E_INPUT_COLUMNS');
    assert.equal(e.where.line, 1);
    assert.match(e.message, /"timestamp"/);
    e = await readError('timestamp,device\n');
    assert.match(e.message, /"util_pct"/);
    e = await readError('timestamp,util_pct\n');
    assert.match(e.message, /--device/);
    e = await readError('\u0000\u0001PK');
    assert.match(e.message, /not a text CSV/);
    e = await readError('timestamp,device,util_pct\n2025-01-01T00:00:00Z,cpu,1\n2025-01-01T00:00:01Z,"cpu,1\n');
    assert.equal(e.where.line, 3);
    assert.match(e.message, /quoting/);
  });
});
