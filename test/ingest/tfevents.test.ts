import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RleError } from '../../src/errors.js';
import { maskedCrc32c } from '../../src/ingest/crc32c.js';
import { parseTagMap } from '../../src/ingest/tag-map.js';
import { type EventScalar, readEventValues, readTfEvents } from '../../src/ingest/tfevents.js';
import { TfRecordReader } from '../../src/ingest/tfrecord.js';
import { FIXTURES, tmpDir } from '../helpers.js';

const TF = path.join(FIXTURES, 'tfevents');
const HF_DIR = path.join(TF, 'hf-trainer');

interface Expected {
  offsets: number[];
  events: { wall_time: number; step: number; values: { tag: string; value: number | null }[] }[];
}

/** Each fixture folder's expected.json: what TensorBoard's own reader saw (dump-expected.py). */
function expected(dir: string): Map<string, Expected> {
  const data = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Record<string, Expected>;
  return new Map(Object.entries(data).map(([name, e]) => [path.join(dir, name), e]));
}

const hfFile = (): string => [...expected(HF_DIR).keys()][0]!;

/** A copy of the HF fixture file in a temp folder, edited by `edit`. */
function editedCopy(edit: (b: Buffer) => Buffer, name = path.basename(hfFile())): string {
  const out = path.join(tmpDir(), name);
  fs.writeFileSync(out, edit(fs.readFileSync(hfFile())));
  return out;
}

/** TFRecord framing of arbitrary payloads (for inputs no writer would produce). */
function frame(...payloads: Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const p of payloads) {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(p.length));
    const c1 = Buffer.alloc(4);
    c1.writeUInt32LE(maskedCrc32c(len));
    const c2 = Buffer.alloc(4);
    c2.writeUInt32LE(maskedCrc32c(p));
    parts.push(len, c1, Buffer.from(p), c2);
  }
  return Buffer.concat(parts);
}

async function rejectsWith(p: Promise<unknown>, code: string, re: RegExp): Promise<RleError> {
  let caught: unknown;
  await p.catch((e: unknown) => (caught = e));
  assert.ok(caught instanceof RleError, `expected an RleError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  assert.match(caught.message, re);
  return caught;
}

describe('readEventValues', () => {
  const dirs = ['hf-trainer', 'hf-resumed', 'lightning/version_0', 'tf2', 'torch-variants'];
  for (const d of dirs) {
    it(`decodes ${d} as TensorBoard's own reader does`, async () => {
      for (const [file, exp] of expected(path.join(TF, d))) {
        const got: EventScalar[] = [];
        await readEventValues(file, [], (v) => got.push(v));
        const want = exp.events.slice(1).flatMap((e, i) => e.values.map((v) => ({ ...v, step: e.step, wall_time: e.wall_time, offset: exp.offsets[i + 1] })));
        assert.equal(got.length, want.length);
        got.forEach((g, i) => {
          const w = want[i]!;
          assert.equal(g.tag, w.tag);
          assert.equal(g.step, w.step);
          assert.equal(g.wall_time, w.wall_time);
          assert.equal(g.offset, w.offset);
          assert.equal(g.value, w.value, `${w.tag}@${w.step}`);
        });
      }
    });
  }
  it('reads the same records with a chunk far smaller than a record (buffer growth and compaction)', async () => {
    const sizes = async (chunk: number): Promise<string[]> => {
      const out: string[] = [];
      await new TfRecordReader(hfFile(), chunk).read((r) => out.push(`${r.offset}:${Buffer.from(r.data).toString('base64')}`));
      return out;
    };
    const small = await sizes(16);
    assert.deepEqual(small, await sizes(1 << 20));
    assert.deepEqual(small.map((s) => Number(s.split(':')[0])), expected(HF_DIR).get(hfFile())!.offsets);
  });
});

describe('readTfEvents', () => {
  it('imports a Hugging Face Trainer run (train/* tags, eval and end-of-run logs at the last step)', async () => {
    const r = await readTfEvents(HF_DIR);
    assert.equal(r.format, 'tfevents');
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.fields, { loss: 'train/loss', grad_norm: 'train/grad_norm', learning_rate: 'train/learning_rate', epoch: 'train/epoch', tokens: 'train/num_input_tokens_seen' });
    assert.deepEqual(r.steps.map((s) => s.step), [2, 4, 6, 8, 10]);
    const exp = expected(HF_DIR).get(hfFile())!.events;
    const at = (step: number, tag: string): { wall_time: number; value: number } => {
      const e = exp.filter((x) => x.step === step && x.values[0]?.tag === tag)[0]!;
      return { wall_time: e.wall_time, value: e.values[0]!.value! };
    };
    const last = r.steps[4]!;
    assert.equal(Math.fround(last.loss!), at(10, 'train/loss').value);
    assert.equal(last.epoch, 0.625);
    // the step's time is that of its training log, not of the evaluation and end-of-run logs
    // that repeat epoch and the token total at step 10 later
    assert.equal(last.t, at(10, 'train/learning_rate').wall_time);
    assert.ok(last.t < Math.max(...exp.filter((e) => e.step === 10).map((e) => e.wall_time)));
    assert.equal(last.t_start, null);
    // num_input_tokens_seen is a running total: the first logged step has nothing to subtract
    assert.deepEqual(r.steps.map((s) => s.tokens), [null, 128, 128, 128, 128]);
    assert.equal(r.tags!['eval/loss'], 1);
    assert.equal(r.tags!['args/text_summary'], 1);
    assert.equal(r.tags!['train/loss'], 5);
  });

  it('imports a TF2 run: DT_FLOAT scalars in tensor_content; text summaries are counted, not used', async () => {
    const r = await readTfEvents(path.join(TF, 'tf2'));
    assert.deepEqual(r.steps.map((s) => [s.step, s.loss, s.learning_rate]), [[1, 2.5, 0.001], [2, 2, 0.001], [3, 1.5, 0.001], [4, 1, 0.001]]);
    assert.equal(r.tags!.note, 4);
  });

  it('imports torch new_style (float_val) and double_precision (double_val) tensors and merges tags of one step', async () => {
    const r = await readTfEvents(path.join(TF, 'torch-variants'));
    assert.deepEqual(r.steps[2], { step: 3, t: 1714564803.5, t_start: null, loss: 0.6666667, grad_norm: 3.5, learning_rate: 0.003, epoch: null, tokens: null });
  });

  it('imports Lightning tags (train_loss_step, lr-AdamW, epoch) from a nested version folder', async () => {
    const r = await readTfEvents(path.join(TF, 'lightning'));
    assert.deepEqual(r.fields, { loss: 'train_loss_step', learning_rate: 'lr-AdamW', epoch: 'epoch' });
    assert.deepEqual(r.steps.map((s) => [s.step, s.learning_rate, s.epoch]), [[1, 0.01, 0], [3, 0.005, 0], [5, 0.0025, 1], [7, 0.00125, 1]]);
    assert.equal(r.tags!.train_loss_epoch, 2);
  });

  it('merges a folder with two files (an HF run resumed from checkpoint-4): the repeated step 6 comes from the later file', async () => {
    const dir = path.join(TF, 'hf-resumed');
    const files = [...expected(dir)];
    assert.equal(files.length, 2);
    const r = await readTfEvents(dir);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.steps.map((s) => s.step), [2, 4, 6, 8, 10]);
    const second = files[1]![1].events.find((e) => e.step === 6 && e.values[0]?.tag === 'train/loss')!;
    const first = files[0]![1].events.find((e) => e.step === 6 && e.values[0]?.tag === 'train/loss')!;
    assert.ok(first.wall_time < second.wall_time);
    assert.equal(Math.fround(r.steps[2]!.loss!), second.values[0]!.value);
    assert.ok(r.steps[2]!.t > second.wall_time - 1 && r.steps[2]!.t >= second.wall_time);
    assert.equal(r.tags!['train/loss'], 6);
  });

  it('warns when event files of several folders are merged', async () => {
    const d = tmpDir();
    fs.cpSync(HF_DIR, path.join(d, 'a'), { recursive: true });
    fs.cpSync(path.join(TF, 'tf2'), path.join(d, 'b'), { recursive: true });
    const r = await readTfEvents(d);
    assert.match(r.warnings.join('\n'), /event files in 2 folders merged as one run: a, b/);
  });

  it('applies a user tag map', async () => {
    const r = await readTfEvents(HF_DIR, { tagMap: parseTagMap('loss=eval/loss, grad_norm=nope') });
    assert.equal(r.fields!.loss, 'eval/loss');
    assert.equal(r.fields!.grad_norm, undefined);
    assert.match(r.warnings.join('\n'), /no values under "nope" for grad_norm/);
    const s10 = r.steps.find((s) => s.step === 10)!;
    assert.equal(s10.grad_norm, null);
    const evalLoss = expected(HF_DIR).get(hfFile())!.events.find((e) => e.values[0]?.tag === 'eval/loss')!;
    assert.equal(Math.fround(s10.loss!), evalLoss.values[0]!.value);
    assert.equal(r.steps.filter((s) => s.loss !== null).length, 1);
  });

  it('says which tags it saw when none maps to a field', async () => {
    const e = await rejectsWith(readTfEvents(path.join(TF, 'tf2'), { tagMap: { loss: 'x', learning_rate: 'y' } }), 'E_INPUT_FORMAT', /no training steps found; tags seen: learning_rate \(4\), loss \(4\), note \(4\)/);
    assert.equal(e.where.file, path.join(TF, 'tf2'));
  });

  it('tolerates a truncated last record (a run still being written) with a warning', async () => {
    const whole = await readTfEvents(hfFile());
    const offsets = expected(HF_DIR).get(hfFile())!.offsets;
    const lastAt = offsets[offsets.length - 1]!;
    const size = fs.statSync(hfFile()).size;
    for (const cut of [5 /* inside the data */, size - lastAt - 7 /* 7 bytes of the header left */]) {
      const f = editedCopy((b) => b.subarray(0, b.length - cut));
      const r = await readTfEvents(f);
      assert.equal(r.warnings.length, 1);
      assert.match(r.warnings[0]!, new RegExp(`ends inside a record (header )?at byte ${lastAt}.*dropped`));
      assert.deepEqual(r.steps, whole.steps); // the dropped record repeats the token total
    }
    const headerCut = editedCopy((b) => b.subarray(0, lastAt + 7));
    assert.match((await readTfEvents(headerCut)).warnings[0]!, new RegExp(`inside a record header at byte ${lastAt}`));
  });

  it('tolerates a zero-filled tail (a crash before the data reached the disk)', async () => {
    const f = editedCopy((b) => Buffer.concat([b, Buffer.alloc(100)]));
    const r = await readTfEvents(f);
    assert.match(r.warnings[0]!, new RegExp(`zero bytes from byte ${fs.statSync(hfFile()).size}`));
  });

  it('refuses a record whose data checksum does not match, naming the file and byte offset', async () => {
    const offsets = expected(HF_DIR).get(hfFile())!.offsets;
    const k = offsets[10]!;
    const f = editedCopy((b) => {
      const c = Buffer.from(b);
      c[k + 12 + 3]! ^= 0x40;
      return c;
    });
    const e = await rejectsWith(readTfEvents(f), 'E_INPUT_FORMAT', new RegExp(`corrupt record at byte ${k}: data checksum mismatch`));
    assert.equal(e.where.file, f);
    assert.match(e.describe(), new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: corrupt record at byte ${k}`));
  });

  it('refuses a corrupt length (its checksum does not match), even where it would run past the end', async () => {
    const k = expected(HF_DIR).get(hfFile())!.offsets[5]!;
    const f = editedCopy((b) => {
      const c = Buffer.from(b);
      c[k + 6] = 0x7f; // length ≈ 2^55: past EOF
      return c;
    });
    await rejectsWith(readTfEvents(f), 'E_INPUT_FORMAT', new RegExp(`corrupt record at byte ${k}: length checksum mismatch`));
  });

  it('refuses a file that is not an event file, clearly', async () => {
    const d = tmpDir();
    const text = path.join(d, 'events.out.tfevents.123.host');
    fs.writeFileSync(text, '{"step": 1, "loss": 2.0, "time": 1714564800}\n'.repeat(3));
    await rejectsWith(readTfEvents(text), 'E_INPUT_FORMAT', /corrupt record at byte 0: length checksum mismatch \(not a TFRecord \/ TensorBoard event file\?\)/);
    // well-framed records that are not Events (a tf.data TFRecord of raw bytes)
    const other = path.join(d, 'data.tfrecord');
    fs.writeFileSync(other, frame(Buffer.from([0x0a, 0x03, 0x61, 0x62, 0x63]), Buffer.from('xyz')));
    await rejectsWith(readTfEvents(other), 'E_INPUT_FORMAT', /not a TensorBoard event file: the first record is not a file_version event/);
    await rejectsWith(readTfEvents(path.join(d, 'missing')), 'E_INPUT_MISSING', /no such file/);
    await rejectsWith(readTfEvents(tmpDir()), 'E_INPUT_MISSING', /no events\.out\.tfevents\.\* files/);
  });

  it('refuses a wall time outside 2000–2100, naming the record and its byte offset (real writer, walltime=1.0)', async () => {
    const dir = path.join(TF, 'bad-walltime');
    const [, exp] = [...expected(dir)][0]!;
    await rejectsWith(readTfEvents(dir), 'E_INPUT_FORMAT', new RegExp(`record 2 at byte ${exp.offsets[2]} \\(step 2\\): wall time 1 is outside 2000–2100`));
  });
});
