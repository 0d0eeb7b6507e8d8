/**
 * #15 failure 7 — messages: a BOM rejected in JSON inputs (with a JSON.parse message over
 * three lines), `rle export -o somefolder/` an internal ENOTDIR error about a rename, `rle
 * report --out /proc/forbidden` spinning; user mistakes are named errors with the path.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, fixtureFile, runCli, tmpDir } from '../helpers.js';

const oneLine = (s: string): boolean => s.trimEnd().split('\n').length === 1;

describe('#15 failure 7: messages', () => {
  const dir = tmpDir();
  const db = path.join(dir, 'rle.db');
  let id = '';
  const session = async (): Promise<string> => {
    if (id) return id;
    const r = await runCli(['import', fixtureFile('golden/example_baseline_session.in.csv.gz', dir), '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    return (id = r.stdout.trim());
  };

  it('rle export -o somefolder/: a named error, not "internal error: ENOTDIR … rename …tmp"', async () => {
    const s = await session();
    for (const target of [path.join(dir, 'nofolder') + '/', dir + '/', path.join(dir, 'rle.db', 'x.csv')]) {
      const r = await runCli(['export', s, '--db', db, '-o', target]);
      assert.equal(r.code, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /internal error|\.tmp/);
      assert.match(r.stderr, /cannot write: (names a folder|is a folder|folder .*: a part of the path is not a folder)/);
      assert.ok(oneLine(r.stderr));
    }
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  });

  it('rle report --out /proc/forbidden: ends at once with a named error', async () => {
    const r = await runCli(['report', await session(), '--db', db, '--out', '/proc/forbidden'], { timeoutMs: 15_000 });
    assert.equal(r.timedOut, false);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /\/proc\/forbidden: cannot create the report folder/);
  });

  it('an input that is a folder is EISDIR named with the path', async () => {
    const r = await runCli(['analyze', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot read: is a directory, not a file/);
  });

  it('a BOM is dropped in JSON inputs as in CSV and JSONL: config.json, --batches', async () => {
    const model = path.join(dir, 'micro');
    fs.mkdirSync(model);
    const micro = path.join(FIXTURES, 'training', 'torch-micro');
    fs.writeFileSync(path.join(model, 'config.json'), '\uFEFF' + fs.readFileSync(path.join(micro, 'config.json'), 'utf8'));
    fs.copyFileSync(path.join(micro, 'model.safetensors'), path.join(model, 'model.safetensors'));
    const batches = path.join(dir, 'b.json');
    fs.writeFileSync(batches, '\uFEFF[{"input_ids": [[1, 2, 3]], "labels": [[2, 3, 4]]}]');
    const r = await runCli(['train', '--model', model, '--batches', batches, '--steps', '1', '--no-monitor', '--no-report', '--kernels', 'js', '--db', path.join(dir, 't.db')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /step 1\/1/);
  });

  it('bad JSON is one line, whatever the input holds', async () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, '[{"input_ids":\n\n[[1,\n 2]], "labels": \n}]');
    const r = await runCli(['train', '--batches', file, '--db', path.join(dir, 't2.db'), '--no-monitor']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.json: not JSON: /);
    assert.ok(oneLine(r.stderr), r.stderr);
  });
});
