/**
 * Training data for `rle train`: a small built-in instruction set, JSONL loading, and
 * fixed-shape batches for a GPT-2-family causal LM. No model code lives here.
 */
import fsp from 'node:fs/promises';
import { mulberry32 } from '../core/random.js';
import { RleError } from '../errors.js';
import { fsErrorReason } from '../store/files.js';
import { parseJsonText } from '../store/json-input.js';
import { EOT, VOCAB_SIZE, encodePrefixWithEot } from './tokenizer.js';

export interface Example {
  readonly instruction: string;
  readonly response: string;
}

/** Ten short examples written for this project, enough for a smoke-sized fine-tune. */
export const BUILTIN_EXAMPLES: readonly Example[] = [
  {
    instruction: 'Explain what a CPU cache is in two sentences.',
    response:
      'A CPU cache is a small, fast memory close to the processor that keeps copies of recently used data. ' +
      'Because reading from it is much quicker than reading from main memory, programs that reuse data run faster.',
  },
  {
    instruction: 'Give three tips for writing a clear commit message.',
    response:
      'Start with a short summary line in the imperative mood. Leave a blank line, then explain why the change was needed. ' +
      'Keep each commit about one idea so the message can stay focused.',
  },
  {
    instruction: 'Convert 25 degrees Celsius to Fahrenheit and show the steps.',
    response: 'Multiply by nine fifths: 25 times 1.8 is 45. Then add 32: 45 plus 32 is 77. So 25 degrees Celsius is 77 degrees Fahrenheit.',
  },
  {
    instruction: 'What does thermal throttling mean for a laptop?',
    response:
      'When the chip gets too hot, the laptop lowers its clock speed to reduce heat. ' +
      'The machine stays safe, but heavy tasks such as compiling or gaming slow down until it cools.',
  },
  {
    instruction: 'Summarise the idea of recursion for a beginner.',
    response:
      'Recursion is when a function solves a problem by calling itself on a smaller piece of the same problem. ' +
      'It needs a base case, a version simple enough to answer directly, so the calls eventually stop.',
  },
  {
    instruction: 'Write a haiku about the cooling fan inside a busy computer, and say what it describes.',
    response:
      'Soft hum in the dark,\nwarm air carried from the chip,\nsilence when work ends.\n\n' +
      'It follows the fan from a busy hum to quiet once the work is done.',
  },
  {
    instruction: 'List the steps to make a cup of tea.',
    response:
      'Boil fresh water. Put a tea bag or loose leaves in a cup or pot. Pour the hot water over the tea and wait three to five minutes. ' +
      'Remove the tea, then add milk, lemon or honey if you like.',
  },
  {
    instruction: 'Explain the difference between a list and a set.',
    response:
      'A list keeps items in order and may hold the same item more than once. ' +
      'A set has no order and holds each item at most once, which makes checking whether it contains something fast.',
  },
  {
    instruction: 'Rewrite this sentence to be more polite: Send me the report now.',
    response:
      'Could you please send me the report when you have a moment? I would really appreciate it. ' +
      'If today is difficult, just let me know when it might be ready.',
  },
  {
    instruction: 'Why does a model need a validation set during training?',
    response:
      'The validation set holds examples the model never learns from. ' +
      'Measuring loss on it shows whether the model is learning general patterns or only memorising the training data, ' +
      'and tells you when to stop training.',
  },
];

/**
 * The prompt template, the Alpaca-style one without an input field:
 *
 *     ### Instruction:
 *     {instruction}
 *
 *     ### Response:
 *     {response}
 *
 * A `{ text }` record is used as is, for data already in its final form.
 */
export function formatExample(e: Example | { readonly text: string }): string {
  if ('text' in e) return e.text;
  return `### Instruction:\n${e.instruction}\n\n### Response:\n${e.response}`;
}

async function readText(file: string): Promise<string> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (err) {
    throw new RleError('E_INPUT_MISSING', `cannot read: ${fsErrorReason(err)}`, { file });
  }
}

const SHAPES = 'expected {"instruction": string, "response": string} or {"text": string}';

/** One JSONL record to its training text, or a message saying what is wrong with it. */
function recordText(value: unknown): string | { error: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: `not a JSON object; ${SHAPES}` };
  }
  const rec = value as Record<string, unknown>;
  const keys = Object.keys(rec).sort();
  const wanted = 'text' in rec ? ['text'] : ['instruction', 'response'];
  if (keys.join() !== wanted.join()) {
    return { error: `keys ${JSON.stringify(keys)}: ${SHAPES}` };
  }
  for (const k of wanted) {
    if (typeof rec[k] !== 'string') return { error: `"${k}" is ${rec[k] === null ? 'null' : typeof rec[k]}, not a string` };
    if (rec[k].trim() === '') return { error: `"${k}" is empty` };
  }
  return formatExample(rec as unknown as Example | { text: string });
}

/**
 * Training texts from a JSONL file: one record a line, either shape, mixed freely; blank lines
 * are skipped. Any bad line fails the whole load, naming its 1-based line, since silently
 * dropping examples would change what is trained on.
 */
export async function loadJsonl(file: string): Promise<string[]> {
  const lines = (await readText(file)).replace(/^\uFEFF/, '').split(/\r?\n/);
  const texts: string[] = [];
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new RleError('E_INPUT_FORMAT', `not JSON: ${(err as Error).message}`, { file, line: i + 1 });
    }
    const text = recordText(value);
    if (typeof text !== 'string') throw new RleError('E_INPUT_FORMAT', text.error, { file, line: i + 1 });
    texts.push(text);
  });
  if (texts.length === 0) throw new RleError('E_INPUT_FORMAT', 'no examples: the file is empty or only blank lines', { file });
  return texts;
}

/**
 * One training step's data, rows × seq. From makeBatches, `labels` are the input ids themselves,
 * not shifted, as Hugging Face's GPT2LMHeadModel takes them (position t is scored against label
 * t+1). In a --batches file they are per-position targets unless `--labels hf` says otherwise
 * (see the trainer). -100 marks positions the loss ignores (padding), HF's ignore_index.
 */
export interface Batch {
  input_ids: number[][];
  labels: number[][];
}

/** A batch with the epochs consumed once it is done: examples seen / dataset size (0.4, 0.8, …). */
export type EpochBatch = Batch & { epoch: number };

/** Label of a position the loss skips. */
export const IGNORE_INDEX = -100;
/** GPT-2's context length (n_positions): no row may be longer. */
export const MAX_SEQ = 1024;

export interface BatchOptions {
  /** Rows per batch. */
  batch: number;
  /** Tokens per row, at most MAX_SEQ. */
  seq: number;
  /** Seed of the shuffle: the same seed gives the same batches. */
  seed: number;
  /** Batches to return. */
  steps: number;
}

function shuffled(n: number, rand: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

function checkOptions(opts: BatchOptions): void {
  for (const k of ['batch', 'seq', 'steps'] as const) {
    if (!Number.isSafeInteger(opts[k]) || opts[k] < 1) throw new RleError('E_OPTION', `${k} must be a positive integer, got ${opts[k]}`);
  }
  if (opts.seq > MAX_SEQ) throw new RleError('E_OPTION', `seq must be at most ${MAX_SEQ} (GPT-2's context), got ${opts.seq}`);
  // 0 is a common seed; mulberry32 takes 32 bits.
  if (!Number.isSafeInteger(opts.seed) || opts.seed < 0 || opts.seed > 0xffffffff) {
    throw new RleError('E_OPTION', `seed must be an integer in [0, 2^32), got ${opts.seed}`);
  }
}

/**
 * A row of exactly `seq` tokens: truncated, or right-padded with EOT labelled IGNORE_INDEX.
 * The text's own EOT keeps its label, so the model learns to stop. Padding on the right needs
 * no attention mask: under causal attention no real token can see the padding after it.
 */
function row(ids: readonly number[], seq: number): { ids: number[]; labels: number[] } {
  const kept = ids.slice(0, seq);
  const pad = seq - kept.length;
  return {
    ids: [...kept, ...new Array<number>(pad).fill(EOT)],
    labels: [...kept, ...new Array<number>(pad).fill(IGNORE_INDEX)],
  };
}

/**
 * `steps` batches of `batch` rows from `texts` (EOT appended to each). Examples go in a seeded
 * shuffled order, reshuffled every epoch; a batch may span two epochs, so every step is full.
 */
export function makeBatches(texts: readonly string[], opts: BatchOptions): EpochBatch[] {
  checkOptions(opts);
  if (texts.length === 0) throw new RleError('E_INPUT_FORMAT', 'no examples to batch');
  // Only the first seq tokens of a text are kept, so only those are made (a 10 MB text costs as little as a short one).
  const rows = texts.map((t) => row(encodePrefixWithEot(t, opts.seq), opts.seq));
  const rand = mulberry32(opts.seed);
  let order: number[] = [];
  let consumed = 0;
  const out: EpochBatch[] = [];
  for (let s = 0; s < opts.steps; s++) {
    const b: EpochBatch = { input_ids: [], labels: [], epoch: 0 };
    for (let r = 0; r < opts.batch; r++) {
      const pos = consumed % rows.length;
      if (pos === 0) order = shuffled(rows.length, rand);
      const picked = rows[order[pos]!]!;
      b.input_ids.push([...picked.ids]);
      b.labels.push([...picked.labels]);
      consumed++;
    }
    b.epoch = consumed / rows.length;
    out.push(b);
  }
  return out;
}

function isIntIn(v: unknown, lo: number, hi: number): boolean {
  return Number.isInteger(v) && (v as number) >= lo && (v as number) < hi;
}

/** Why `m` is not a non-empty rectangular matrix of valid values, or undefined when it is. */
function matrixProblem(m: unknown, name: string, ok: (v: unknown) => boolean, what: string): string | undefined {
  if (!Array.isArray(m) || m.length === 0) return `"${name}" must be a non-empty array of rows`;
  const width = Array.isArray(m[0]) ? m[0].length : -1;
  if (width < 1 || width > MAX_SEQ) return `"${name}" rows must be arrays of 1 to ${MAX_SEQ} tokens`;
  for (let r = 0; r < m.length; r++) {
    const rowR: unknown = m[r];
    if (!Array.isArray(rowR) || rowR.length !== width) return `"${name}" is not rectangular: row ${r} is not ${width} long like row 0`;
    const c = rowR.findIndex((v) => !ok(v));
    if (c >= 0) return `"${name}"[${r}][${c}] is ${JSON.stringify(rowR[c])}, not ${what}`;
  }
  return undefined;
}

/**
 * Pre-tokenized batches: a JSON array of `{"input_ids": [[…]], "labels": [[…]]}`, each
 * rectangular, labels the same shape as ids. Batches may differ in shape from one another.
 */
export async function loadBatches(file: string): Promise<Batch[]> {
  let data: unknown;
  try {
    data = parseJsonText(await readText(file));
  } catch (err) {
    if (err instanceof RleError) throw err;
    throw new RleError('E_INPUT_FORMAT', `not JSON: ${(err as Error).message}`, { file });
  }
  const fail = (msg: string): never => {
    throw new RleError('E_INPUT_FORMAT', msg, { file });
  };
  if (!Array.isArray(data) || data.length === 0) fail('expected a non-empty JSON array of {"input_ids", "labels"} batches');
  return (data as unknown[]).map((b, i): Batch => {
    if (typeof b !== 'object' || b === null || Array.isArray(b)) return fail(`batch ${i}: not an object with "input_ids" and "labels"`);
    const { input_ids: ids, labels } = b as Record<string, unknown>;
    const idsProblem = matrixProblem(ids, 'input_ids', (v) => isIntIn(v, 0, VOCAB_SIZE), `a token id in [0, ${VOCAB_SIZE})`);
    if (idsProblem) fail(`batch ${i}: ${idsProblem}`);
    const okLabel = (v: unknown): boolean => v === IGNORE_INDEX || isIntIn(v, 0, VOCAB_SIZE);
    const labelsProblem = matrixProblem(labels, 'labels', okLabel, `a token id in [0, ${VOCAB_SIZE}) or ${IGNORE_INDEX}`);
    if (labelsProblem) fail(`batch ${i}: ${labelsProblem}`);
    const [idRows, labelRows] = [ids as number[][], labels as number[][]];
    if (idRows.length !== labelRows.length || idRows[0]!.length !== labelRows[0]!.length) {
      fail(`batch ${i}: "labels" is ${labelRows.length}×${labelRows[0]!.length} but "input_ids" is ${idRows.length}×${idRows[0]!.length}`);
    }
    return { input_ids: idRows, labels: labelRows };
  });
}
