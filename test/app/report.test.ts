/** Report folders appear whole or not at all; a report computed on its own thread comes back whole, as its error, or not at all. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { COUPLING_DEFAULTS } from '../../src/analysis/coupling/coupling.js';
import { importSession } from '../../src/app/import-session.js';
import { buildReport, REPORT_FILES, ReportInterrupted, reportInWorker, summaryText, writeReportFolder } from '../../src/app/report.js';
import { RleError } from '../../src/errors.js';
import { tmpDir } from '../helpers.js';

describe('writeReportFolder', () => {
  it('a new folder is written beside its place and renamed into it, leaving nothing else', async () => {
    const parent = tmpDir();
    const dir = path.join(parent, 'rep');
    await writeReportFolder(dir, { 'a.txt': 'A', 'b.bin': Buffer.from([1, 2]) });
    assert.deepEqual(fs.readdirSync(parent), ['rep']);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['a.txt', 'b.bin']);
  });
  it('when a file cannot be written, no folder appears and no temp folder stays', async () => {
    const parent = tmpDir();
    const dir = path.join(parent, 'rep');
    // a name that cannot be a file in the folder (a path through a file) fails the second write
    await assert.rejects(writeReportFolder(dir, { 'a.txt': 'A', 'a.txt/b': 'B' }), /cannot write/);
    assert.deepEqual(fs.readdirSync(parent), []);
  });
  it('into an existing folder: all files written and flushed first, renamed only then; on failure the old files stay', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'a.txt'), 'old');
    await assert.rejects(writeReportFolder(dir, { 'a.txt': 'new', 'x/y.txt': 'B' }), /cannot write/);
    assert.equal(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8'), 'old');
    assert.deepEqual(fs.readdirSync(dir), ['a.txt'], 'no temp files');
    await writeReportFolder(dir, { 'a.txt': 'new' });
    assert.equal(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8'), 'new');
  });
  it('a path that is a file is refused', async () => {
    const f = path.join(tmpDir(), 'f');
    fs.writeFileSync(f, '');
    await assert.rejects(writeReportFolder(f, { 'a.txt': 'A' }), /not a folder/);
  });
});

describe('reportInWorker', () => {
  async function session(): Promise<{ db: string; id: string }> {
    const dir = tmpDir();
    const csv = path.join(dir, 'in.csv');
    const rows = Array.from({ length: 120 }, (_, i) => `${new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString()},cpu,${50 + (i % 7)},${60 + (i % 5)},${40 + (i % 3)}`);
    fs.writeFileSync(csv, `timestamp,device,util_pct,temp_c,power_w\n${rows.join('\n')}\n`);
    const db = path.join(dir, 'rle.db');
    const { id } = await importSession(csv, { db, name: null, engine: {}, read: {}, training: null });
    return { db, id };
  }
  const options = (db: string) => ({ db, devices: [], coupling: COUPLING_DEFAULTS });

  it('gives the files and the summary buildReport and renderReport give, as bytes; by prefix, the full id', async () => {
    const { db, id } = await session();
    const r = await reportInWorker(id.slice(0, 10), options(db), true);
    assert.equal(r.id, id);
    assert.deepEqual(Object.keys(r.files!).sort(), [...REPORT_FILES].sort());
    const text = summaryText(buildReport(id, options(db)).summary);
    assert.equal(new TextDecoder().decode(r.summary), text);
    assert.equal(new TextDecoder().decode(r.files!['summary.json']), text);
    assert.deepEqual(r.verdicts.map((v) => v.device), ['cpu']);
    const summaryOnly = await reportInWorker(id, options(db), false);
    assert.equal(summaryOnly.files, null);
    assert.equal(new TextDecoder().decode(summaryOnly.summary), text);
  });
  it("an error in the worker comes back as the same RleError (code, message, file)", async () => {
    const { db } = await session();
    const e = await reportInWorker('nope', options(db), true).catch((x: unknown) => x);
    assert.ok(e instanceof RleError, String(e));
    assert.equal(e.code, 'E_SESSION');
    assert.match(e.message, /nope/);
  });
  it('an abort stops it at once with ReportInterrupted, before or while it runs', async () => {
    const { db, id } = await session();
    const before = new AbortController();
    before.abort();
    await assert.rejects(reportInWorker(id, options(db), true, before.signal), ReportInterrupted);
    const during = new AbortController();
    const p = reportInWorker(id, options(db), true, during.signal);
    during.abort();
    await assert.rejects(p, ReportInterrupted);
  });
});
