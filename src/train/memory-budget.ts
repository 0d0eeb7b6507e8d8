/**
 * What training a GPT-2 takes in memory, computed from its dimensions and the batch shape
 * before anything is allocated, against a budget: a config.json with `vocab_size` 1e9 or a
 * batch of 10,000 rows must fail with the size and how to lower it, not with a RangeError or
 * the kernel's OOM killer. The sizes follow gpt2.ts (float32 throughout): parameters, their
 * gradients and AdamW's two moments; per block 18·B·T·C activations and the two B·H·T²
 * attention matrices; the logits and their gradient (B·T·V each); the backward scratch.
 */
import fs from 'node:fs';
import os from 'node:os';
import { RleError } from '../errors.js';
import type { Gpt2Config } from './gpt2-config.js';

const F32 = 4;
/** The longest typed array V8 makes (elements). */
const MAX_ARRAY = 2 ** 32;
/** Share of the machine's memory training may plan on (the sampler, the store and Node need the rest). */
const BUDGET_SHARE = 0.8;

export interface TrainingMemory {
  readonly parameters: number;
  /** Parameters, gradients, AdamW m and v (bytes). */
  readonly weightsBytes: number;
  /** Activations and backward scratch for one B × T batch (bytes). */
  readonly activationBytes: number;
  /** The logits alone (B·T·V floats, bytes). */
  readonly logitsBytes: number;
  readonly totalBytes: number;
  /** The largest single array (elements). */
  readonly largestArray: number;
}

/** Parameters of a GPT-2 (as expectedGpt2Shapes lays them out). */
export function gpt2Parameters(c: Gpt2Config): number {
  const e = c.nEmbd;
  return c.vocabSize * e + c.nPositions * e + c.nLayer * (12 * e * e + 13 * e) + 2 * e;
}

export function trainingMemory(c: Gpt2Config, batch: number, seq: number): TrainingMemory {
  const C = c.nEmbd, V = c.vocabSize, L = c.nLayer, H = c.nHead;
  const BT = batch * seq;
  const att = batch * H * seq * seq;
  const parameters = gpt2Parameters(c);
  const perLayer = 18 * BT * C + 4 * BT + 2 * att;
  // encoded, lnf; 19 B·T·C of backward scratch (dlnf, dres…, dfch, dqkv); dpreatt, datt; probs, dlogits
  const shared = BT * (2 * C + 2) + 19 * BT * C + 2 * att + 2 * BT * V;
  const weightsBytes = 4 * parameters * F32;
  const activationBytes = (L * perLayer + shared) * F32;
  return {
    parameters,
    weightsBytes,
    activationBytes,
    logitsBytes: BT * V * F32,
    totalBytes: weightsBytes + activationBytes,
    largestArray: Math.max(V * C, BT * V, att, 4 * BT * C, 12 * C * C),
  };
}

/** The cgroup's memory limit (containers), bytes, or null. */
function cgroupLimit(): number | null {
  for (const f of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const v = Number(fs.readFileSync(f, 'utf8').trim());
      if (Number.isFinite(v) && v > 0 && v < 2 ** 60) return v;
    } catch {
      // not there
    }
  }
  return null;
}

/** Bytes training may plan on: RLE_MEMORY_BUDGET_MB, else 80 % of the machine's (or container's) memory. */
export function memoryBudget(env: NodeJS.ProcessEnv = process.env): { bytes: number; from: string } {
  const mb = Number(env.RLE_MEMORY_BUDGET_MB);
  if (env.RLE_MEMORY_BUDGET_MB && Number.isFinite(mb) && mb > 0) return { bytes: mb * 2 ** 20, from: 'RLE_MEMORY_BUDGET_MB' };
  const total = Math.min(os.totalmem(), cgroupLimit() ?? Infinity);
  return { bytes: BUDGET_SHARE * total, from: `${Math.round(BUDGET_SHARE * 100)} % of this machine's memory; RLE_MEMORY_BUDGET_MB sets it` };
}

function gb(bytes: number): string {
  const g = bytes / 2 ** 30;
  return g >= 1e6 ? `${g.toExponential(1)} GiB` : g >= 10 ? `${g.toFixed(0)} GiB` : `${g.toFixed(2)} GiB`;
}

/**
 * Throws E_INPUT_FORMAT (a model file or a --batches file is at fault) or E_OPTION (--batch,
 * --seq) when training `c` on batch × seq would not fit the budget or a typed array.
 */
export function checkTrainingMemory(c: Gpt2Config, batch: number, seq: number, from: { model?: string; batches?: string }): void {
  const m = trainingMemory(c, batch, seq);
  const budget = memoryBudget();
  const fits = m.totalBytes <= budget.bytes && m.largestArray <= MAX_ARRAY;
  if (fits) return;
  const shape = `${c.nLayer} layers × ${c.nEmbd} wide, vocabulary ${c.vocabSize}, ${c.nPositions} positions`;
  const what =
    `training this model (${shape}: ${m.parameters.toExponential(2)} parameters) on batches of ${batch} × ${seq} tokens needs about ${gb(m.totalBytes)} ` +
    `(weights, gradients and AdamW state ${gb(m.weightsBytes)}; activations ${gb(m.activationBytes)}, of which the logits ${batch}·${seq}·${c.vocabSize} floats ${gb(m.logitsBytes)})`;
  const limit = m.largestArray > MAX_ARRAY ? `one array of ${m.largestArray.toExponential(2)} floats, over the ${MAX_ARRAY}-element limit of a typed array` : `over the budget of ${gb(budget.bytes)} (${budget.from})`;
  const weightsAlone = m.weightsBytes > budget.bytes || Math.max(c.vocabSize * c.nEmbd, 12 * c.nEmbd * c.nEmbd) > MAX_ARRAY;
  if (from.model && weightsAlone) throw new RleError('E_INPUT_FORMAT', `${what}: ${limit}; use a smaller model`, { file: from.model });
  const lower = from.batches ? `use batches with fewer rows or shorter rows in ${from.batches}` : 'lower --batch or --seq';
  throw new RleError(from.batches ? 'E_INPUT_FORMAT' : 'E_OPTION', `${what}: ${limit}; ${lower}${from.model ? ', or use a smaller model' : ''}`, from.batches ? { file: from.batches } : {});
}
