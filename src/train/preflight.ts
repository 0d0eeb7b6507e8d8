/**
 * A training run checked before it starts: the options, the model (preset, or config.json and
 * the safetensors header), the data (the JSONL or --batches file read and validated, token ids
 * against the vocabulary, rows against the context) and the memory all of it will take. `rle
 * train` runs this before the session exists, so a bad --dataset, --batches or --seq leaves no
 * empty failed session; the trainer runs it again at its start (in its worker) before it
 * allocates anything. Nothing is tokenized here: any text tokenizes.
 */
import { RleError } from '../errors.js';
import { checkGpt2Checkpoint } from './checkpoint.js';
import { IGNORE_INDEX, loadBatches, loadJsonl, MAX_SEQ, type Batch } from './dataset.js';
import { PRESETS, type Gpt2Config } from './gpt2-config.js';
import { checkTrainingMemory } from './memory-budget.js';
import { VOCAB_SIZE } from './tokenizer.js';
import type { TrainOptions } from './trainer.js';


function positiveInt(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 1) throw new RleError('E_OPTION', `--${name} must be a positive integer, got ${v}`);
}

/** The option checks (the same as the trainer's). */
export function checkTrainOptions(o: TrainOptions): void {
  for (const k of ['steps', 'batch', 'seq', 'threads'] as const) positiveInt(k, o[k]);
  if (!Number.isSafeInteger(o.warmup) || o.warmup < 0) throw new RleError('E_OPTION', `--warmup must be a non-negative integer, got ${o.warmup}`);
  if (!(o.lr >= 0) || !Number.isFinite(o.lr)) throw new RleError('E_OPTION', `--lr must be a non-negative number, got ${o.lr}`);
  if (!(o.weightDecay >= 0)) throw new RleError('E_OPTION', `--weight-decay must be non-negative, got ${o.weightDecay}`);
  if (o.dataset && o.batches) throw new RleError('E_USAGE', '--dataset and --batches are alternatives: give one');
  const preset = PRESETS[o.preset];
  if (!o.modelDir && !preset) throw new RleError('E_OPTION', `unknown preset "${o.preset}"; one of ${Object.keys(PRESETS).join(', ')}`);
  const context = o.modelDir ? MAX_SEQ : preset!.nPositions;
  if (!o.batches && o.seq > context) throw new RleError('E_OPTION', `--seq ${o.seq} is longer than the model's context (${context})`);
}

/** The largest rows × length of the --batches file's batches. */
function largestShape(batches: readonly Batch[]): { batch: number; seq: number } {
  let best = { batch: 1, seq: 1 };
  for (const b of batches) {
    const shape = { batch: b.input_ids.length, seq: b.input_ids[0]!.length };
    if (shape.batch * shape.seq > best.batch * best.seq || (shape.batch * shape.seq === best.batch * best.seq && shape.seq > best.seq)) best = shape;
  }
  return best;
}

/** Token ids against the model's vocabulary, rows against its context, something to learn from. */
function checkBatchesFit(batches: readonly Batch[], cfg: Gpt2Config, hf: boolean, file: string): void {
  batches.forEach((b, i) => {
    const T = b.input_ids[0]!.length;
    if (T > cfg.nPositions) throw new RleError('E_INPUT_FORMAT', `batch ${i}: rows of ${T} tokens exceed the model's context (${cfg.nPositions})`, { file });
    for (const m of [b.input_ids, b.labels]) {
      for (const row of m) {
        const bad = row.find((v) => v >= cfg.vocabSize);
        if (bad !== undefined) throw new RleError('E_INPUT_FORMAT', `batch ${i}: token id ${bad} is outside the model's vocabulary (${cfg.vocabSize} tokens)`, { file });
      }
    }
    // Hugging Face labels are shifted inside: the first of each row predicts nothing.
    const learns = b.labels.some((row) => row.some((v, t) => v !== IGNORE_INDEX && (!hf || t > 0)));
    if (!learns) throw new RleError('E_INPUT_FORMAT', `batch ${i}: every label is ${IGNORE_INDEX}, nothing to learn from`, { file });
  });
}

/**
 * The model's config (a preset's, or the checkpoint's checked without loading it) and the
 * memory of training it on `shape`.
 */
async function modelFor(o: TrainOptions, shape: { batch: number; seq: number }, from: { batches?: string }): Promise<Gpt2Config> {
  if (o.modelDir) return checkGpt2Checkpoint(o.modelDir, shape, from);
  const cfg = PRESETS[o.preset]!;
  checkTrainingMemory(cfg, shape.batch, shape.seq, from);
  return cfg;
}

/** Everything a run can be refused for before it starts (see the file comment). */
export async function preflightTraining(o: TrainOptions): Promise<void> {
  checkTrainOptions(o);
  if (o.batches) {
    const batches = await loadBatches(o.batches);
    const cfg = await modelFor(o, largestShape(batches), { batches: o.batches });
    checkBatchesFit(batches, cfg, o.labels === 'hf', o.batches);
    return;
  }
  const cfg = await modelFor(o, { batch: o.batch, seq: o.seq }, {});
  if (o.seq > cfg.nPositions) throw new RleError('E_OPTION', `--seq ${o.seq} is longer than the model's context (${cfg.nPositions})`);
  if (cfg.vocabSize < VOCAB_SIZE) {
    const data = o.dataset ? `--dataset ${o.dataset}` : 'the built-in examples';
    throw new RleError('E_INPUT_FORMAT', `this model's vocabulary has ${cfg.vocabSize} tokens, but ${data} is tokenized with GPT-2's ${VOCAB_SIZE}: give pre-tokenized --batches`, { file: `${o.modelDir}/config.json` });
  }
  if (o.dataset) await loadJsonl(o.dataset);
}

/**
 * The trainer's own check at its start, before it allocates: the options and the memory of
 * the model and batch shape (the data itself is validated as the trainer loads it).
 */
export async function checkTrainerStart(o: TrainOptions): Promise<void> {
  checkTrainOptions(o);
  const shape = o.batches ? largestShape(await loadBatches(o.batches)) : { batch: o.batch, seq: o.seq };
  await modelFor(o, shape, o.batches ? { batches: o.batches } : {});
}
