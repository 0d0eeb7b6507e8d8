/**
 * #15 regressions in reading session CSVs: failure 2 (a 50 MB line took 46 s, quadratic; a
 * gzip of one 200 MB line ran for minutes), failure 5 (CR-only files read as nothing, NUL
 * after 16 KiB accepted, 1e308 readings accepted, backwards time unsaid by augment), failure
 * 7 (a header's control characters reached the terminal).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { MAX_LINE_CHARS, SessionCsvReader, type SessionRow } from '../../src/store/csv-reader.js';
import { csvRows, runCli, tmpDir } from '../helpers.js';

const HEADER = 'timestamp,device,util_pct,temp_c,power_w';

async function readAll(text: string | Buffer, chunk = 1 << 14): Promise<{ rows: SessionRow[]; reader: SessionCsvReader }> {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) parts.push(buf.subarray(i, i + chunk));
  const reader = new SessionCsvReader(Readable.from(parts), { source: 'in.csv' });
  const rows: SessionRow[] = [];
  for await (const b of reader.batches()) rows.push(...b);
  return { rows, reader };
}

function rowsText(n: number, eol = '\n'): string {
  const lines = [HEADER];
  for (let i = 0; i < n; i++) lines.push(`${new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString()},cpu,${i % 100},${40 + (i % 10)},${10 + (i % 5)}`);
  return lines.join(eol) + eol;
}

describe('#15 failure 2: hangs on long CSV lines', () => {
  it('a single 50 MB line is refused in linear time, naming the line and the cap', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'long.csv');
    fs.writeFileSync(file, `${HEADER}\n2025-01-01T00:00:00Z,cpu,1,2,3\n${'9'.repeat(50e6)}`);
    const r = await runCli(['analyze', file], { timeoutMs: 20_000 });
    assert.equal(r.timedOut, false);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`long\\.csv:3: line is longer than ${MAX_LINE_CHARS} characters`));
    assert.ok(r.ms! < 10_000, `took ${r.ms} ms`);
  });

  it('a line just under the cap is still read, in one scan', async () => {
    const t0 = performance.now();
    const { rows } = await readAll(`${HEADER},note\n2025-01-01T00:00:00Z,cpu,1,2,3,${'x'.repeat(MAX_LINE_CHARS - 100)}\n`);
    assert.equal(rows.length, 1);
    assert.ok(performance.now() - t0 < 2000);
  });

  it('a 200 KB .csv.gz that inflates to 200 MB of one line ends at once', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'bomb.csv.gz');
    fs.writeFileSync(file, gzipSync(Buffer.concat([Buffer.from(`${HEADER}\n`), Buffer.alloc(200e6, 0x61)])));
    const r = await runCli(['analyze', file], { timeoutMs: 20_000 });
    assert.equal(r.timedOut, false);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bomb\.csv\.gz:2: line is longer than/);
  });

  it('a .csv.gz that inflates more than 200× is refused', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'same.csv.gz');
    fs.writeFileSync(file, gzipSync(`${HEADER}\n${'2025-01-01T00:00:00Z,cpu,50,40,10\n'.repeat(1e6)}`, { level: 9 }));
    const r = await runCli(['analyze', file], { timeoutMs: 20_000 });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /same\.csv\.gz: inflates to over 200× its compressed size/);
  });
});

describe('#15 failure 5: silently wrong readings', () => {
  it('CR-only line endings are lines (not "0 rows, 0 devices")', async () => {
    const { rows } = await readAll(rowsText(500, '\r'), 1000);
    assert.equal(rows.length, 500);
    assert.equal(rows[499]!.util_pct, 99);
    const dir = tmpDir();
    const file = path.join(dir, 'cr.csv');
    fs.writeFileSync(file, rowsText(20, '\r'));
    const r = await runCli(['augment', file]);
    assert.equal(r.code, 0, r.stderr);
    const out = csvRows(r.stdout);
    assert.equal(out.length, 21);
    assert.equal(out[0]![0], 'timestamp');
    assert.deepEqual(out[0]!.slice(-1), ['throttle_causes']);
  });

  it('a NUL byte after the first 16 KiB is rejected with its line', async () => {
    const text = rowsText(2000).replace('2025-01-01T00:30:00.000Z,cpu', '2025-01-01T00:30:00.000Z,c\0pu');
    await assert.rejects(readAll(text), (e: Error & { where?: { line?: number } }) => /NUL byte/.test(e.message) && e.where?.line === 1802);
  });

  it('readings no sensor gives are missing and counted: 1e308, negative power, util 150, −300 °C', async () => {
    const text = `${HEADER}\n2025-01-01T00:00:00Z,cpu,50,1e308,10\n2025-01-01T00:00:01Z,cpu,50,40,-5\n2025-01-01T00:00:02Z,cpu,150,-300,1e308\n2025-01-01T00:00:03Z,cpu,50,40,10\n`;
    const { rows, reader } = await readAll(text);
    assert.deepEqual(rows.map((r) => [r.util_pct, r.temp_c, r.power_w]), [[50, null, 10], [50, 40, null], [null, null, null], [50, 40, 10]]);
    assert.equal(reader.stats.impossible.count, 5);
    assert.deepEqual(reader.stats.impossible.lines, [2, 3, 4, 4, 4]);
    const dir = tmpDir();
    const file = path.join(dir, 'imp.csv');
    fs.writeFileSync(file, text);
    const r = await runCli(['analyze', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /read 5 impossible readings .* as missing/);
    assert.doesNotMatch(r.stdout, /1e\+308|Infinity/);
  });

  it('times outside 2000–2100 and device names with control characters are malformed rows', async () => {
    const text = `${HEADER}\n1970-01-01T00:00:00Z,cpu,1,2,3\n2300-01-01T00:00:00Z,cpu,1,2,3\n2025-01-01T00:00:00Z,c\u001bpu,1,2,3\n2025-01-01T00:00:00Z,cpu,1,2,3\n`;
    const { rows, reader } = await readAll(text);
    assert.equal(rows.length, 1);
    assert.deepEqual(reader.stats.malformed.lines, [2, 3, 4]);
  });

  it('augment warns about time going backwards, as analyze does', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'back.csv');
    fs.writeFileSync(file, `${HEADER}\n2025-01-01T00:00:05Z,cpu,1,40,3\n2025-01-01T00:00:01Z,cpu,1,40,3\n2025-01-01T00:00:06Z,cpu,1,40,3\n`);
    for (const cmd of ['augment', 'analyze', 'import']) {
      const r = await runCli([cmd, file, ...(cmd === 'import' ? ['--db', path.join(dir, 'rle.db')] : [])]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`rle ${cmd}: warning: .*back\\.csv: time goes backwards at 1 row \\(line 3\\)`));
    }
  });

  it('an all-malformed file is a warning in augment and analyze (and an error in import)', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(file, `${HEADER}\nyesterday,cpu,1,2,3\nnot-a-time,cpu,1,2,3\n`);
    for (const cmd of ['augment', 'analyze']) {
      const r = await runCli([cmd, file]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /every one of its 2 rows is malformed \(lines 2, 3\): nothing was read/);
    }
    const r = await runCli(['import', file, '--db', path.join(dir, 'rle.db')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no valid rows to import/);
  });
});

describe('#15 failure 7: control characters from a file reach the terminal', () => {
  it('a header with ESC, BEL and CR is echoed escaped, on one line', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'esc.csv');
    fs.writeFileSync(file, 'time\u001b]0;PWNED\u0007,x\rstill\n1,2\n');
    const r = await runCli(['analyze', file]);
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stderr, /[\u0000-\u0009\u000b-\u001f]/); // eslint-disable-line no-control-regex -- asserting their absence
    assert.equal(r.stderr.trimEnd().split('\n').length, 1);
    assert.match(r.stderr, /time\\x1b\]0;PWNED\\x07/);
  });
});
