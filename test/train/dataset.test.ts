import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RleError } from '../../src/errors.js';
import {
  BUILTIN_EXAMPLES,
  IGNORE_INDEX,
  type EpochBatch,
  formatExample,
  loadBatches,
  loadJsonl,
  makeBatches,
} from '../../src/train/dataset.js';
import { EOT, encodeWithEot } from '../../src/train/tokenizer.js';
import { tmpDir } from '../helpers.js';

function write(name: string, text: string): string {
  const file = path.join(tmpDir(), name);
  fs.writeFileSync(file, text);
  return file;
}

/** Asserts that `p` rejects with an RleError of `code`, at `line` when given, matching `msg`. */
async function rejectsWith(p: Promise<unknown>, code: string, msg: RegExp, line?: number): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof RleError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, msg);
    assert.equal(err.where.line, line);
    assert.ok(err.where.file?.endsWith('.jsonl') || err.where.file?.endsWith('.json'));
    return true;
  });
}

function throwsOption(f: () => unknown, msg: RegExp): void {
  assert.throws(f, (err: unknown) => err instanceof RleError && err.code === 'E_OPTION' && msg.test(err.message));
}

describe('built-in examples and the template', () => {
  it('has 10 distinct examples of 30–80 words', () => {
    assert.equal(BUILTIN_EXAMPLES.length, 10);
    assert.equal(new Set(BUILTIN_EXAMPLES.map((e) => e.instruction)).size, 10);
    for (const e of BUILTIN_EXAMPLES) {
      const words = `${e.instruction} ${e.response}`.split(/\s+/).length;
      assert.ok(words >= 30 && words <= 80, `${words} words: ${e.instruction}`);
    }
  });
  it('formats instruction/response with the Alpaca-style template and keeps text as is', () => {
    assert.equal(formatExample({ instruction: 'Say hi.', response: 'Hi!' }), '### Instruction:\nSay hi.\n\n### Response:\nHi!');
    assert.equal(formatExample({ text: 'raw text' }), 'raw text');
  });
});

describe('loadJsonl', () => {
  it('reads both shapes, mixed, skipping blank lines, with CRLF and a BOM', async () => {
    const file = write(
      'ok.jsonl',
      '\uFEFF{"instruction":"Add 2 and 2.","response":"4"}\r\n\r\n   \n{"text":"plain"}\n{"response":"b","instruction":"a"}\n',
    );
    assert.deepEqual(await loadJsonl(file), [
      '### Instruction:\nAdd 2 and 2.\n\n### Response:\n4',
      'plain',
      '### Instruction:\na\n\n### Response:\nb',
    ]);
  });
  const good = '{"text":"fine"}\n\n';
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{"text": "x"', /^not JSON/],
    ['an array', '["text"]', /not a JSON object/],
    ['a string', '"text"', /not a JSON object/],
    ['null', 'null', /not a JSON object/],
    ['a missing response', '{"instruction":"a"}', /keys \["instruction"\]: expected/],
    ['an extra key', '{"instruction":"a","input":"","response":"b"}', /keys \["input","instruction","response"\]/],
    ['both shapes in one record', '{"text":"t","instruction":"a","response":"b"}', /keys \["instruction","response","text"\]/],
    ['a number', '{"text":5}', /"text" is number, not a string/],
    ['a null value', '{"instruction":"a","response":null}', /"response" is null, not a string/],
    ['an empty value', '{"instruction":"  ","response":"b"}', /"instruction" is empty/],
  ];
  for (const [what, line, msg] of cases) {
    it(`fails on ${what}, naming line 3`, async () => {
      await rejectsWith(loadJsonl(write('bad.jsonl', `${good}${line}\n${good}`)), 'E_INPUT_FORMAT', msg, 3);
    });
  }
  it('fails on an empty file and on one of only blank lines', async () => {
    await rejectsWith(loadJsonl(write('empty.jsonl', '')), 'E_INPUT_FORMAT', /no examples/);
    await rejectsWith(loadJsonl(write('blank.jsonl', '\n  \n\r\n')), 'E_INPUT_FORMAT', /no examples/);
  });
  it('fails with E_INPUT_MISSING on a missing file', async () => {
    await rejectsWith(loadJsonl(path.join(tmpDir(), 'nope.jsonl')), 'E_INPUT_MISSING', /no such file/);
  });
});

describe('makeBatches', () => {
  const texts = BUILTIN_EXAMPLES.map(formatExample);
  const rowsOf = (bs: EpochBatch[]): number[][] => bs.flatMap((b) => b.input_ids);
  /** Which example each row holds, from its first tokens (all examples differ early). */
  const indexOf = (bs: EpochBatch[], seq: number): number[] => {
    const keys = texts.map((t) => encodeWithEot(t).slice(0, seq).join());
    return rowsOf(bs).map((r) => keys.indexOf(r.join()));
  };

  it('pads short rows with EOT labelled -100, keeps the text EOT, and truncates long ones', () => {
    const [b] = makeBatches(['Hello world', 'Hello world Hello world Hello world'], { batch: 2, seq: 4, seed: 1, steps: 1 });
    assert.ok(b);
    // The shuffle decides the row order; the truncated row is the one without EOT.
    const long = b.input_ids.findIndex((r) => !r.includes(EOT));
    const short = 1 - long;
    assert.deepEqual(b.input_ids[long], [15496, 995, 18435, 995]);
    assert.deepEqual(b.labels[long], [15496, 995, 18435, 995]);
    assert.deepEqual(b.input_ids[short], [15496, 995, EOT, EOT]);
    assert.deepEqual(b.labels[short], [15496, 995, EOT, -100]);
    assert.equal(IGNORE_INDEX, -100);
  });
  it('gives `steps` batches of batch × seq and counts fractional epochs', () => {
    const bs = makeBatches(texts, { batch: 4, seq: 64, seed: 1, steps: 20 });
    assert.equal(bs.length, 20);
    for (const b of bs) {
      assert.equal(b.input_ids.length, 4);
      assert.equal(b.labels.length, 4);
      for (const r of [...b.input_ids, ...b.labels]) assert.equal(r.length, 64);
    }
    assert.deepEqual(
      bs.slice(0, 4).map((b) => b.epoch),
      [0.4, 0.8, 1.2, 1.6],
    );
    assert.equal(bs[19]!.epoch, 8);
  });
  it('visits every example once per epoch, reshuffling each epoch, in a pinned order for seed 1', () => {
    const idx = indexOf(makeBatches(texts, { batch: 5, seq: 32, seed: 1, steps: 4 }), 32);
    const [e0, e1] = [idx.slice(0, 10), idx.slice(10, 20)];
    assert.deepEqual([...e0].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual([...e1].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.notDeepEqual(e0, e1);
    assert.deepEqual(e0, PINNED_SEED1_EPOCH0);
  });
  it('is deterministic for a seed and differs for another', () => {
    const opts = { batch: 4, seq: 48, seed: 7, steps: 5 };
    assert.deepEqual(makeBatches(texts, opts), makeBatches(texts, opts));
    assert.notDeepEqual(indexOf(makeBatches(texts, opts), 48), indexOf(makeBatches(texts, { ...opts, seed: 8 }), 48));
  });
  it('fills batches larger than the dataset by cycling', () => {
    const bs = makeBatches(['a', 'b', 'c'], { batch: 4, seq: 3, seed: 0, steps: 2 });
    assert.deepEqual(
      bs.map((b) => b.epoch),
      [4 / 3, 8 / 3],
    );
  });
  it('rejects bad options with E_OPTION and no texts with E_INPUT_FORMAT', () => {
    const ok = { batch: 2, seq: 8, seed: 0, steps: 1 };
    throwsOption(() => makeBatches(texts, { ...ok, batch: 0 }), /batch must be a positive integer, got 0/);
    throwsOption(() => makeBatches(texts, { ...ok, steps: 1.5 }), /steps must be a positive integer/);
    throwsOption(() => makeBatches(texts, { ...ok, seq: Number.NaN }), /seq must be a positive integer/);
    throwsOption(() => makeBatches(texts, { ...ok, seq: 1025 }), /seq must be at most 1024/);
    throwsOption(() => makeBatches(texts, { ...ok, seed: -1 }), /seed must be an integer/);
    assert.equal(makeBatches(texts, { ...ok, seq: 1024 })[0]!.input_ids[0]!.length, 1024);
    assert.throws(() => makeBatches([], ok), (err: unknown) => err instanceof RleError && err.code === 'E_INPUT_FORMAT');
  });
});

describe('loadBatches', () => {
  const batch = (ids: unknown, labels: unknown = ids): unknown => ({ input_ids: ids, labels });
  const json = (v: unknown): string => write('batches.json', JSON.stringify(v));

  it('reads batches of different shapes, with -100 labels', async () => {
    const data = [batch([[1, 2, 3], [4, 5, 6]], [[1, 2, 3], [4, 5, -100]]), batch([[50256]])];
    assert.deepEqual(await loadBatches(json(data)), data);
  });
  const fine = batch([[1, 2]]);
  const cases: [string, unknown, RegExp][] = [
    ['not an array', { input_ids: [[1]], labels: [[1]] }, /non-empty JSON array/],
    ['an empty array', [], /non-empty JSON array/],
    ['a batch that is not an object', [fine, [1]], /^batch 1: not an object/],
    ['missing labels', [fine, { input_ids: [[1]] }], /^batch 1: "labels" must be a non-empty array/],
    ['no rows', [fine, batch([])], /^batch 1: "input_ids" must be a non-empty array/],
    ['an empty row', [fine, batch([[]])], /^batch 1: "input_ids" rows must be arrays of 1 to 1024/],
    ['a row over 1024', [fine, batch([new Array<number>(1025).fill(1)])], /^batch 1: "input_ids" rows must be arrays of 1 to 1024/],
    ['ragged rows', [fine, batch([[1, 2], [3]])], /^batch 1: "input_ids" is not rectangular: row 1/],
    ['an id of 50257', [fine, batch([[1, 50257]])], /^batch 1: "input_ids"\[0\]\[1\] is 50257, not a token id in \[0, 50257\)/],
    ['-100 among ids', [fine, batch([[-100, 1]], [[1, 1]])], /^batch 1: "input_ids"\[0\]\[0\] is -100/],
    ['a fractional id', [fine, batch([[1.5]])], /^batch 1: "input_ids"\[0\]\[0\] is 1.5/],
    ['a string id', [fine, batch([['1']])], /^batch 1: "input_ids"\[0\]\[0\] is "1"/],
    ['a label of -1', [fine, batch([[1, 2]], [[1, -1]])], /^batch 1: "labels"\[0\]\[1\] is -1, not a token id in \[0, 50257\) or -100/],
    ['labels of another width', [fine, batch([[1, 2]], [[1, 2, 3]])], /^batch 1: "labels" is 1×3 but "input_ids" is 1×2/],
    ['labels of another height', [fine, batch([[1], [2]], [[1]])], /^batch 1: "labels" is 1×1 but "input_ids" is 2×1/],
  ];
  for (const [what, data, msg] of cases) {
    it(`fails on ${what}`, async () => {
      await rejectsWith(loadBatches(json(data)), 'E_INPUT_FORMAT', msg);
    });
  }
  it('fails on text that is not JSON, and on a missing file', async () => {
    await rejectsWith(loadBatches(write('bad.json', '[{"input_ids": [[1]]')), 'E_INPUT_FORMAT', /^not JSON/);
    await rejectsWith(loadBatches(path.join(tmpDir(), 'nope.json')), 'E_INPUT_MISSING', /no such file/);
  });
});

/** The first epoch's example order for seed 1 (mulberry32 + Fisher–Yates); pins reproducibility. */
const PINNED_SEED1_EPOCH0 = [7, 8, 3, 2, 1, 5, 9, 4, 0, 6];
