/**
 * #15 failure 4 (rle import --training accepted timestamp_shared 1e15, 1e300, −1e300, after
 * which rle export --steps failed with "internal error: Invalid time value") and failure 5 (a
 * training log whose timestamps are all null imported 0 steps without a word).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readTrainingLog } from '../../src/ingest/training-log.js';
import { FIXTURES, fixtureFile, runCli, tmpDir } from '../helpers.js';

const LOG = path.join(FIXTURES, 'training', 'training_log_20251028_195412.json');
const SESSION = 'golden/training_reproducibility_test_1_rle_data_20251028_195412.in.csv.gz';

function edited(dir: string, edit: (records: Record<string, unknown>[]) => void, name = 'log.json'): string {
  const records = JSON.parse(fs.readFileSync(LOG, 'utf8')) as Record<string, unknown>[];
  edit(records);
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(records));
  return file;
}

describe('#15 failure 4: the store can be poisoned by timestamp_shared', () => {
  for (const bad of [1e15, 1e300, -1e300, 0, 1761699262488]) {
    it(`timestamp_shared ${bad}: rejected naming the file and the record; no session`, async () => {
      const dir = tmpDir();
      const log = edited(dir, (r) => (r[3]!.timestamp_shared = bad));
      await assert.rejects(readTrainingLog(log), (e: Error) => /record 3 \(step 4\): timestamp_shared: time .* is outside 2000–2100/.test(e.message));
      const db = path.join(dir, 'rle.db');
      const r = await runCli(['import', fixtureFile(SESSION, dir), '--training', log, '--db', db]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /log\.json: record 3 \(step 4\): timestamp_shared: time .* is outside 2000–2100/);
      assert.equal(fs.existsSync(db) ? (await runCli(['sessions', '--json', '--db', db])).stdout.trim() : '[]', '[]');
    });
  }

  it('a good log imports, and export --steps writes every step', async () => {
    const dir = tmpDir();
    const db = path.join(dir, 'rle.db');
    const r = await runCli(['import', fixtureFile(SESSION, dir), '--training', LOG, '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    const x = await runCli(['export', r.stdout.trim(), '--steps', '--db', db]);
    assert.equal(x.code, 0, x.stderr);
    assert.equal(x.stdout.trim().split('\n').length, 1 + 200);
  });
});

describe('#15 failure 5: a training log whose timestamps are all null imports 0 steps without a word', () => {
  it('is an error naming the file', async () => {
    const dir = tmpDir();
    const log = edited(dir, (r) => r.forEach((x) => (x.timestamp_shared = null)));
    await assert.rejects(readTrainingLog(log), /no training steps to import: all 200 step record\(s\) lack "timestamp_shared"/);
    const r = await runCli(['import', fixtureFile(SESSION, dir), '--training', log, '--db', path.join(dir, 'rle.db')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /log\.json: no training steps to import/);
  });

  it('some untimed or backwards steps are imported with a warning', async () => {
    const dir = tmpDir();
    const log = edited(dir, (r) => {
      r[5]!.timestamp_shared = null;
      r[10]!.timestamp_shared = (r[2]!.timestamp_shared as number) - 1;
    });
    const got = await readTrainingLog(log);
    assert.equal(got.steps.length, 199);
    assert.equal(got.untimed, 1);
    assert.equal(got.backwards, 1);
    const r = await runCli(['import', fixtureFile(SESSION, dir), '--training', log, '--db', path.join(dir, 'rle.db')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /left out 1 step\(s\) without "timestamp_shared"/);
    assert.match(r.stderr, /time goes backwards at 1 step\(s\)/);
  });

  it('a BOM is dropped and bad JSON is one line', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'bom.json');
    fs.writeFileSync(file, '\uFEFF' + fs.readFileSync(LOG, 'utf8'));
    assert.equal((await readTrainingLog(file)).steps.length, 200);
    fs.writeFileSync(file, '[{"step": 1,\n\n  "loss": }\n]');
    await assert.rejects(readTrainingLog(file), (e: Error) => /^not JSON: /.test(e.message) && !e.message.includes('\n'));
  });
});
