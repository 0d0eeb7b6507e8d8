import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadSession, resolveInput, summarizeInput, withStore } from '../../src/app/session-input.js';
import { SessionStore } from '../../src/store/session-store.js';
import { FIXTURES, tmpDir } from '../helpers.js';

const CSV = path.join(FIXTURES, '..', '..', 'examples', 'desktop-live.csv');

describe('session input: a file or a stored id', () => {
  it('a path that exists is a file; a word naming a stored session is that session (by unique prefix too)', () => {
    const db = path.join(tmpDir(), 'rle.db');
    const s = SessionStore.open(db);
    const a = s.createSession({ kind: 'monitor', startedAt: 1_700_000_000, manifest: {} });
    s.close();
    assert.deepEqual(resolveInput(CSV, db), { file: CSV });
    assert.deepEqual(resolveInput('-', db), { file: '-' });
    assert.deepEqual(resolveInput(a, db), { stored: a });
    assert.deepEqual(resolveInput(a.slice(0, 10), db), { stored: a });
  });
  it('says which was looked for: "no such file" for a path, "nor a stored session" for a word; an ambiguous prefix lists its matches', () => {
    const db = path.join(tmpDir(), 'rle.db');
    assert.throws(() => resolveInput('nonexist.csv', db), (e: Error) => /^cannot read: no such file$/.test(e.message));
    assert.throws(() => resolveInput('some/dir/x', db), /no such file$/);
    assert.throws(() => resolveInput('20261128', db), /no such file, nor a stored session by that id in .*rle\.db/);
    assert.equal(fs.existsSync(db), false, 'looking does not create a store');
    const s = SessionStore.open(db);
    s.createSession({ kind: 'monitor', startedAt: 1_700_000_000, manifest: {} });
    s.createSession({ kind: 'monitor', startedAt: 1_700_000_000, manifest: {} });
    s.close();
    assert.throws(() => resolveInput('2023', db), /ambiguous: 20231114-221320-\w+, 20231114-221320-\w+…/);
  });
  it('loads columns or summarises in one pass, from either', async () => {
    const db = path.join(tmpDir(), 'rle.db');
    const data = await loadSession(CSV, { db });
    assert.equal(data.devices[0]!.t.length, 1708);
    const sum = await summarizeInput(CSV, { db });
    assert.equal(sum.summary.devices.cpu!.samples, 1708);
    assert.equal(sum.stats!.rows, 1708);
    assert.equal(withStore(db, () => 1), null);
  });
});
