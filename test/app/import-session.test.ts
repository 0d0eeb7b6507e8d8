import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { exportSession } from '../../src/app/export-session.js';
import { importSession } from '../../src/app/import-session.js';
import { SessionStore } from '../../src/store/session-store.js';
import { csvRows, tmpDir } from '../helpers.js';

const opts = (db: string) => ({ db, name: null, engine: {}, read: {}, training: null });

describe('import and export', () => {
  it('an imported session exports its readings as recorded, not measured', async () => {
    const dir = tmpDir();
    const csv = path.join(dir, 'in.csv');
    fs.writeFileSync(csv, 'timestamp,device,util_pct,temp_c,power_w\n2025-01-01T00:00:00Z,cpu,50,60,40\n2025-01-01T00:00:01Z,cpu,55,61,\n');
    const db = path.join(dir, 'rle.db');
    const { id } = await importSession(csv, opts(db));
    const out = path.join(dir, 'out.csv');
    await exportSession(id, { db, output: out, steps: false, stdout: new PassThrough() });
    const rows = csvRows(fs.readFileSync(out, 'utf8'));
    const col = rows[0]!.indexOf('power_source');
    assert.deepEqual(rows.slice(1).map((r) => r[col]), ['recorded', 'estimated']);
    const s = SessionStore.open(db);
    assert.deepEqual([...s.rows(id)].map((r) => [r.sample.util_src, r.sample.temp_src, r.sample.power_src]), [['recorded', 'recorded', 'recorded'], ['recorded', 'recorded', null]]);
    s.close();
  });
  it('a file that fails part way leaves no session behind; an all-malformed file is an error', async () => {
    const dir = tmpDir();
    const db = path.join(dir, 'rle.db');
    const bad = path.join(dir, 'bad.csv');
    const good = Array.from({ length: 3000 }, (_, i) => `2025-01-01T00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z,cpu,50`).join('\n');
    fs.writeFileSync(bad, `timestamp,device,util_pct\n${good}\n"unterminated,cpu,5\n`);
    await assert.rejects(importSession(bad, opts(db)), /bad CSV quoting/);
    const empty = path.join(dir, 'empty.csv');
    fs.writeFileSync(empty, 'timestamp,device,util_pct\nnot-a-time,cpu,1\n');
    await assert.rejects(importSession(empty, opts(db)), /no valid rows to import \(1 read, 1 malformed\)/);
    const s = SessionStore.open(db);
    assert.deepEqual(s.list(), []);
    s.close();
  });
});
