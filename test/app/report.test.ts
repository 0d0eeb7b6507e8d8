/** Report folders appear whole or not at all; a report computed on its own thread comes back whole, as its error, or not at all. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { COUPLING_DEFAULTS } from '../../src/analysis/coupling/coupling.js';
import { importSession } from '../../src/app/import-session.js';
import { buildReport, REPORT_FILES, summaryChunks, summaryText, writeReportFolder } from '../../src/app/report.js';
import { heapCapMb, ReportInterrupted, reportInWorker } from '../../src/app/report-threads.js';
import { RleError } from '../../src/errors.js';
import { SessionStore } from '../../src/store/session-store.js';
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

const decode = (parts: Uint8Array[]): string => Buffer.concat(parts).toString('utf8');

describe('summary.json in parts', () => {
  it('are the bytes of JSON.stringify(summary, null, 2), a block of step_times rows at a time, for any block size', () => {
    const steps = Array.from({ length: 53 }, (_, i) => ({ step: i + 1, start: i === 0 ? null : i * 0.17, end: (i + 1) * 0.17, duration_s: i === 0 ? null : 0.17, throttled_share: i % 3 === 0 ? null : 0.5 }));
    const summary = { session: 'S "1"', kind: null, coupling: { cpu: { r: [0.1, null], note: 'a\nb' } }, step_times: steps, empty: [], headline: 'ü — ✓', notes: ['x'] } as unknown as Parameters<typeof summaryText>[0];
    const want = summaryText(summary);
    for (const rows of [1, 2, 7, 52, 53, 1000]) {
      const parts = summaryChunks(summary, rows);
      assert.equal(decode(parts), want, `rows ${rows}`);
      if (rows < 53) assert.ok(parts.length > 53 / rows, `${parts.length} parts`);
    }
    assert.equal(decode(summaryChunks({ ...summary, step_times: [] })), summaryText({ ...summary, step_times: [] }));
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
    // Steps with every kind of value: missing ones, times of their own or not, a spike.
    const t0 = Date.UTC(2025, 0, 1) / 1000;
    const store = SessionStore.open(db);
    store.appendSteps(id, Array.from({ length: 300 }, (_, i) => ({ step: i + 1, t: t0 + 0.4 * (i + 1), t_start: i % 3 ? t0 + 0.4 * i : null, t_source: i % 2 ? 'own' : null, loss: i % 17 ? 3 - i / 300 : null, grad_norm: 1 + (i % 41 === 0 ? 6 : 0.1 * Math.sin(i)), learning_rate: 1e-4, tokens: i % 5 ? 512 : null, epoch: null })));
    store.close();
    return { db, id };
  }
  const options = (db: string) => ({ db, devices: [], coupling: COUPLING_DEFAULTS });

  it('gives the files and the summary buildReport and renderReport give, as bytes; by prefix, the full id', async () => {
    const { db, id } = await session();
    const r = await reportInWorker(id.slice(0, 10), options(db), true);
    assert.equal(r.id, id);
    assert.deepEqual(Object.keys(r.files!).sort(), [...REPORT_FILES].sort());
    const text = summaryText(buildReport(id, options(db)).summary);
    assert.equal(decode(r.summary), text);
    assert.equal(decode(r.files!['summary.json']!), text);
    assert.deepEqual(r.verdicts.map((v) => v.device), ['cpu']);
    assert.equal((JSON.parse(text) as { training: { steps: number } }).training.steps, 300);
    const summaryOnly = await reportInWorker(id, options(db), false);
    assert.equal(summaryOnly.files, null);
    assert.equal(decode(summaryOnly.summary), text);
  });
  it('a report that outgrows its heap cap is computed again without one', async () => {
    const { db, id } = await session();
    // 8 MB: not even Vega fits.
    const r = await reportInWorker(id, options(db), true, undefined, 8);
    assert.equal(decode(r.summary), summaryText(buildReport(id, options(db)).summary));
    assert.deepEqual(Object.keys(r.files!).sort(), [...REPORT_FILES].sort());
  });
  it('sizes its heap to the session: at least 640 MB, ~1.6 × its expected live heap', () => {
    assert.equal(heapCapMb({ steps: 0, samples: 0 }), 640);
    assert.equal(heapCapMb({ steps: 500_000, samples: 172_800 }), 735);
    assert.ok(heapCapMb({ steps: 5_000_000, samples: 1_728_000 }) > 4500);
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
