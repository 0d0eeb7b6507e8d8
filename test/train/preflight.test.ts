/**
 * #15 regressions in training: failure 3 (a 10,000 × 8 batch OOM-killed after 40 s; a
 * config.json with vocab_size 1e9 printed a RangeError stack; n_layer 1e5 reached 8 GB),
 * failure 4 (a bad --dataset, --batches or --seq left an empty failed session) and failure 2
 * (tokenizing whole texts: 1 MB without spaces took 200 s, 10 MB never ended).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { makeBatches } from '../../src/train/dataset.js';
import { checkTrainingMemory, gpt2Parameters, trainingMemory } from '../../src/train/memory-budget.js';
import { encodePrefixWithEot, encodeWithEot } from '../../src/train/tokenizer.js';
import { PRESETS } from '../../src/train/trainer.js';
import { runCli, tmpDir } from '../helpers.js';

/** A budget every machine has, so the verdicts do not depend on this one's memory. */
const ENV = { RLE_MEMORY_BUDGET_MB: '4096' };

async function sessions(db: string): Promise<unknown[]> {
  if (!fs.existsSync(db)) return [];
  return JSON.parse((await runCli(['sessions', '--json', '--db', db])).stdout) as unknown[];
}

function checkpoint(dir: string, config: Record<string, unknown>): string {
  const d = path.join(dir, `m${Math.random().toString(16).slice(2)}`);
  fs.mkdirSync(d);
  fs.writeFileSync(path.join(d, 'config.json'), JSON.stringify({ n_positions: 1024, n_embd: 64, n_layer: 2, n_head: 4, vocab_size: 50257, ...config }));
  fs.writeFileSync(path.join(d, 'model.safetensors'), Buffer.alloc(16));
  return d;
}

describe('#15 failure 3: memory — shapes checked against a budget before allocation', () => {
  it('the estimate counts parameters as GPT-2 lays them out (tiny: 7.36 M)', () => {
    assert.equal(gpt2Parameters(PRESETS.tiny!), 50257 * 128 + 1024 * 128 + 4 * (12 * 128 * 128 + 13 * 128) + 2 * 128);
    const m = trainingMemory(PRESETS.tiny!, 10_000, 8);
    assert.equal(m.logitsBytes, 10_000 * 8 * 50257 * 4);
    assert.throws(() => checkTrainingMemory(PRESETS.tiny!, 10_000, 8, { batches: 'b.json' }), /needs about \d+ GiB .*logits 10000·8·50257 floats 15 GiB/);
    assert.doesNotThrow(() => checkTrainingMemory(PRESETS.tiny!, 4, 128, {}));
  });

  it('a 0.5 MB --batches file of one 10,000 × 8 batch is refused at once with the size and the fix', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'big.json');
    const rows = Array.from({ length: 10_000 }, () => [1, 2, 3, 4, 5, 6, 7, 8]);
    fs.writeFileSync(file, JSON.stringify([{ input_ids: rows, labels: rows }]));
    const db = path.join(dir, 'rle.db');
    const r = await runCli(['train', '--batches', file, '--db', db, '--no-monitor'], { env: ENV, timeoutMs: 30_000 });
    assert.equal(r.timedOut, false);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /big\.json: training this model .* on batches of 10000 × 8 tokens needs about \d+ GiB .*: over the budget of 4\.00 GiB \(RLE_MEMORY_BUDGET_MB\); use batches with fewer rows or shorter rows/);
    assert.deepEqual(await sessions(db), []);
  });

  for (const [key, value] of [['vocab_size', 1e9], ['n_embd', 65536 * 4], ['n_positions', 1e9], ['n_layer', 1e5]] as const) {
    it(`a config.json with ${key} ${value}: a clear error before anything is allocated, no stack trace`, async () => {
      const dir = tmpDir();
      const model = checkpoint(dir, { [key]: value });
      const db = path.join(dir, 'rle.db');
      const r = await runCli(['train', '--model', model, '--db', db, '--no-monitor', '--steps', '1'], { env: ENV, timeoutMs: 30_000 });
      assert.equal(r.timedOut, false);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /config\.json: training this model .* needs about .*; use a smaller model \[E_INPUT_FORMAT\]/);
      assert.doesNotMatch(r.stderr, /RangeError|internal error|^\s+at /m);
      assert.deepEqual(await sessions(db), []);
    });
  }
});

describe('#15 failure 4: rle train with a bad --dataset/--batches/--seq leaves an empty failed session', () => {
  const cases: [string, (dir: string) => string[], RegExp][] = [
    ['a --dataset that is not JSONL', (d) => (fs.writeFileSync(path.join(d, 'x.jsonl'), 'x\n'), ['--dataset', path.join(d, 'x.jsonl')]), /x\.jsonl:1: not JSON/],
    ['a missing --dataset', (d) => ['--dataset', path.join(d, 'none.jsonl')], /none\.jsonl: cannot read: no such file/],
    ['--batches with a token id outside the vocabulary', (d) => (fs.writeFileSync(path.join(d, 'b.json'), '[{"input_ids":[[1,99999]],"labels":[[1,2]]}]'), ['--batches', path.join(d, 'b.json')]), /b\.json: batch 0: "input_ids"\[0\]\[1\] is 99999/],
    ['--batches whose labels are all ignored', (d) => (fs.writeFileSync(path.join(d, 'i.json'), '[{"input_ids":[[1,2]],"labels":[[-100,-100]]}]'), ['--batches', path.join(d, 'i.json')]), /every label is -100/],
    ['--seq past the context', () => ['--seq', '5000'], /--seq 5000 is longer than the model's context \(1024\)/],
    ['a --model without its safetensors', (d) => {
      const m = checkpoint(d, {});
      fs.rmSync(path.join(m, 'model.safetensors'));
      return ['--model', m];
    }, /model\.safetensors: cannot read: no such file/],
  ];
  for (const [name, args, want] of cases) {
    it(`${name}: an error, and no session`, async () => {
      const dir = tmpDir();
      const db = path.join(dir, 'rle.db');
      const r = await runCli(['train', ...args(dir), '--db', db, '--steps', '1'], { env: ENV, timeoutMs: 30_000 });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, want);
      assert.deepEqual(await sessions(db), []);
    });
  }
});

describe('#15 failure 2: rle train --dataset tokenizes whole texts although only --seq tokens are kept', () => {
  it('the first seq tokens are the same as a whole encoding for ordinary text', () => {
    const texts = ['### Instruction:\nSay hi.\n\n### Response:\nHi there!  How' + ' '.repeat(4) + 'are you?', 'The quick brown fox. '.repeat(2000), '日本語のテキスト。'.repeat(800), '  spaces\t\tand\r\nbreaks  '];
    for (const t of texts) for (const seq of [1, 7, 128, 1024]) assert.deepEqual(encodePrefixWithEot(t, seq), encodeWithEot(t).slice(0, seq));
  });

  it('a 10 MB text without spaces costs no more to batch than a 1 MB one (only the kept prefix is tokenized)', () => {
    let s = '';
    for (let i = 0; i < 1e6; i++) s += String.fromCharCode(97 + ((i * 7919) % 26));
    const big = s.repeat(10);
    // CPU ms of one batch, the least of three (a busy machine only adds to a run).
    const cost = (text: string): number => {
      let best = Infinity;
      for (let r = 0; r < 3; r++) {
        const c0 = process.cpuUsage();
        const b = makeBatches([text], { batch: 2, seq: 1024, seed: 1, steps: 1 });
        assert.equal(b[0]!.input_ids[0]!.length, 1024);
        const c = process.cpuUsage(c0);
        best = Math.min(best, (c.user + c.system) / 1000);
      }
      return best;
    };
    const small = cost(s), large = cost(big);
    // Whole-text tokenization would cost 10× (seconds); a prefix costs the same at both sizes.
    assert.ok(large < 3 * small + 50, `1 MB ${small.toFixed(0)} ms, 10 MB ${large.toFixed(0)} ms`);
  });
});
