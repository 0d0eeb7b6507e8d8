import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RleError } from '../../src/errors.js';
import { readMlflow } from '../../src/ingest/mlflow.js';
import { parseTagMap } from '../../src/ingest/tag-map.js';
import { FIXTURES, tmpDir } from '../helpers.js';

const EXP = path.join(FIXTURES, 'mlflow', 'mlruns', '0');
const RUN = path.join(EXP, '3f2a9c1e5b7d4e6f8a0b1c2d3e4f5a6b');

/** A run folder in a temp dir with the given metric files (key → text). */
function run(metrics: Record<string, string>): string {
  const d = path.join(tmpDir(), 'run');
  for (const [key, text] of Object.entries(metrics)) {
    fs.mkdirSync(path.dirname(path.join(d, 'metrics', key)), { recursive: true });
    fs.writeFileSync(path.join(d, 'metrics', key), text);
  }
  return d;
}

async function rejects(p: Promise<unknown>, re: RegExp): Promise<RleError> {
  let caught: unknown;
  await p.catch((e: unknown) => (caught = e));
  assert.ok(caught instanceof RleError, String(caught));
  assert.equal(caught.code, 'E_INPUT_FORMAT');
  assert.match(caught.message, re);
  return caught;
}

describe('readMlflow', () => {
  it('imports an HF Trainer run (MLflowCallback keys: loss, grad_norm, learning_rate, epoch)', async () => {
    const r = await readMlflow(RUN);
    assert.equal(r.format, 'mlflow');
    assert.deepEqual(r.fields, { loss: 'loss', grad_norm: 'grad_norm', learning_rate: 'learning_rate', epoch: 'epoch' });
    assert.equal(r.steps.length, 3);
    assert.deepEqual(r.steps[0], { step: 2, t: 1714564802.1, t_start: null, loss: 4.1523, grad_norm: 12.8, learning_rate: 5e-5, epoch: 0.25, tokens: null });
    assert.ok(Number.isNaN(r.steps[1]!.grad_norm)); // MLflow writes nan; kept: a diverging step is information
    // the end-of-run train_loss (a mean) is not the step loss; eval and end-of-run epochs do not move step 6's time
    assert.equal(r.steps[2]!.loss, 3.8012);
    assert.equal(r.steps[2]!.t, 1714564806.1);
    assert.equal(r.tags!['system/cpu_utilization_percentage'], 3);
    assert.equal(r.tags!.train_loss, 1);
  });

  it('reads the metrics/ folder itself, and nested keys with a tag map', async () => {
    assert.equal((await readMlflow(path.join(RUN, 'metrics'))).steps.length, 3);
    const d = run({ 'train/loss': '1714564802000 2.5 1\n1714564803000 2.25 2\n', 'optim/lr': '1714564802000 0.1 1\n' });
    const r = await readMlflow(d, { tagMap: parseTagMap('learning_rate=optim/lr') });
    assert.deepEqual(r.fields, { loss: 'train/loss', learning_rate: 'optim/lr' });
    assert.deepEqual(r.steps.map((s) => [s.step, s.loss, s.learning_rate]), [[1, 2.5, 0.1], [2, 2.25, null]]);
  });

  it('reads old two-field lines as step 0, as MLflow does, and inf/-inf values', async () => {
    const r = await readMlflow(run({ loss: '1714564802000 inf\n', grad_norm: '1714564802000 -inf 0\n' }));
    assert.deepEqual(r.steps.map((s) => [s.step, s.loss, s.grad_norm]), [[0, Infinity, -Infinity]]);
  });

  it('turns HF num_input_tokens_seen (a running total) into per-interval tokens', async () => {
    const r = await readMlflow(run({ loss: '1714564802000 3 2\n1714564803000 2 4\n1714564804000 1 6\n', num_input_tokens_seen: '1714564802000 256 2\n1714564803000 512 4\n1714564804000 768 6\n' }));
    assert.deepEqual(r.steps.map((s) => s.tokens), [null, 256, 256]);
  });

  it('names the file and line of a bad line', async () => {
    for (const [text, why] of [
      ['1714564802000 2.5 1\n1714564803000 abc 2\n', /value "abc" is not a number/],
      ['1714564802000 2.5 1\n1714564803000 2.5\t2 9\n', /4 fields/],
      ['1714564802000 2.5 1\n1714564803000.5 2.5 2\n', /timestamp "1714564803000.5" is not an integer/],
      ['1714564802000 2.5 1\n1714564803000 2.5 1.5\n', /step "1.5" is not an integer/],
      ['1714564802000 2.5 1\n1714564803 2.5 2\n', /timestamp 1714564803 ms: time 1714564.803 is outside 2000–2100/],
    ] as const) {
      const d = run({ 'train/loss': text });
      const e = await rejects(readMlflow(d), why);
      assert.deepEqual(e.where, { file: path.join(d, 'metrics', 'train', 'loss'), line: 2 });
    }
  });

  it('points an experiment folder at its runs, and refuses a folder with no metrics/', async () => {
    await rejects(readMlflow(EXP), /not an MLflow run folder \(no metrics\/ folder\); this looks like an experiment folder: pick one run \(3f2a9c1e5b7d4e6f8a0b1c2d3e4f5a6b\)/);
    await rejects(readMlflow(tmpDir()), /not an MLflow run folder \(no metrics\/ folder\)$/);
    await rejects(readMlflow(run({ eval_loss: '1714564802000 2.5 1\n' })), /no training steps found; metric keys seen: eval_loss \(1\)/);
  });
});
