/**
 * The built-in training workload, as Hugging Face's Trainer does it by default: GPT-2 (preset
 * or checkpoint), batches from text or pre-tokenized, AdamW with decay on 2-D weights only,
 * linear warm-up then decay, global-norm clipping with the pre-clip norm reported. One call
 * of step() is one optimizer step; nothing here knows about threads, sensors or the store.
 */
import { mulberry32 } from '../core/random.js';
import { RleError } from '../errors.js';
import { loadGpt2Checkpoint } from './checkpoint.js';
import { BUILTIN_EXAMPLES, formatExample, loadBatches, loadJsonl, makeBatches, type Batch } from './dataset.js';
import { Gpt2, hfLabelsToTargets, IGNORE } from './gpt2.js';
import { PRESETS, type Gpt2Config } from './gpt2-config.js';
import { selectKernels, type KernelChoice } from './kernels/select.js';
import type { Kernels } from './kernels/types.js';
import { AdamW, clipScale, gradNorm, type Param } from './optim.js';
import { checkTrainerStart } from './preflight.js';
import { learningRateForStep } from './schedule.js';

export { PRESETS };

export interface TrainOptions {
  /** A key of PRESETS (random init, seeded), unless modelDir is given. */
  preset: string;
  /** A Hugging Face GPT-2-family checkpoint directory (config.json + model.safetensors). */
  modelDir: string | null;
  steps: number;
  batch: number;
  seq: number;
  lr: number;
  warmup: number;
  weightDecay: number;
  seed: number;
  /** JSONL of {"instruction","response"} or {"text"}; the built-in examples when null. */
  dataset: string | null;
  /** Pre-tokenized batches (JSON), used in order: batch step % n. */
  batches: string | null;
  /** How a --batches file's labels are meant: per-position targets, or HF's unshifted labels. */
  labels: 'targets' | 'hf';
  kernels: KernelChoice;
  threads: number;
}

export interface StepResult {
  step: number;
  loss: number;
  grad_norm: number;
  learning_rate: number;
  epoch: number;
  /** Tokens the step processed (rows × sequence length). */
  tokens: number;
  /** Wall time of forward + backward + update, s. */
  seconds: number;
}

export interface TrainInfo {
  model: { source: string; n_layer: number; n_embd: number; n_head: number; vocab_size: number; parameters: number };
  kernels: { kind: string; name: string; fallback: string | null };
  data: { source: string; batches: number; batch: number; seq: number; examples: number | null };
  optimizer: { name: 'AdamW'; lr: number; warmup: number; weight_decay: number; clip_norm: number; steps: number };
}

interface Prepared {
  inputs: Int32Array;
  targets: Int32Array;
  B: number;
  T: number;
  epoch: number;
}

const CLIP_NORM = 1.0;

/** Instrumentation, not options: the bench wraps the kernel set to time each operation (kernels/profile.ts). */
export interface TrainerHooks {
  wrapKernels?: (k: Kernels) => Kernels;
}

export class Trainer {
  private n = 0;

  private constructor(
    readonly model: Gpt2,
    private readonly data: Prepared[],
    private readonly params: Param[],
    private readonly opt: AdamW,
    private readonly o: TrainOptions,
    readonly info: TrainInfo,
    private readonly kernels: Kernels,
  ) {}

  static async create(o: TrainOptions, hooks: TrainerHooks = {}): Promise<Trainer> {
    // Options, model and batch shape against the memory budget, before any allocation (preflight.ts).
    await checkTrainerStart(o);
    const ks = selectKernels(o.kernels, o.threads);
    const kernels = hooks.wrapKernels ? hooks.wrapKernels(ks.kernels) : ks.kernels;
    let model: Gpt2;
    let source: string;
    if (o.modelDir) {
      model = await loadGpt2Checkpoint(o.modelDir, kernels, ks.alloc ?? undefined);
      source = `checkpoint ${o.modelDir}`;
    } else {
      model = new Gpt2(PRESETS[o.preset]!, ks.alloc ?? undefined, kernels); // a known preset: checkTrainerStart said so
      model.initRandom(mulberry32(o.seed));
      source = `preset ${o.preset} (random init, seed ${o.seed})`;
    }
    const cfg = model.cfg;
    let data: Prepared[];
    let dataInfo: TrainInfo['data'];
    if (o.batches) {
      const raw = await loadBatches(o.batches);
      data = raw.map((b, i) => prepare(b, i, cfg, o.labels === 'hf', (i + 1) / raw.length, o.batches!));
      dataInfo = { source: `batches ${o.batches}`, batches: raw.length, batch: data[0]!.B, seq: data[0]!.T, examples: null };
    } else {
      if (o.seq > cfg.nPositions) throw new RleError('E_OPTION', `--seq ${o.seq} is longer than the model's context (${cfg.nPositions})`);
      const texts = o.dataset ? await loadJsonl(o.dataset) : BUILTIN_EXAMPLES.map(formatExample);
      const made = makeBatches(texts, { batch: o.batch, seq: o.seq, seed: o.seed, steps: o.steps });
      data = made.map((b, i) => prepare(b, i, cfg, true, b.epoch, o.dataset ?? 'built-in examples'));
      dataInfo = { source: o.dataset ? `dataset ${o.dataset}` : 'built-in instruction examples', batches: made.length, batch: o.batch, seq: o.seq, examples: texts.length };
    }
    const params: Param[] = [...model.params].map(([name, data]) => ({
      name,
      data: data as Float32Array,
      grad: model.grads.get(name) as Float32Array,
      decay: /\.weight$/.test(name) && !/ln_\d\.|ln_f\./.test(name), // 2-D weights only
    }));
    const opt = new AdamW(params, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: o.weightDecay }, kernels.adamw, ks.alloc ?? undefined);
    const count = params.reduce((s, p) => s + p.data.length, 0);
    const info: TrainInfo = {
      model: { source, n_layer: cfg.nLayer, n_embd: cfg.nEmbd, n_head: cfg.nHead, vocab_size: cfg.vocabSize, parameters: count },
      kernels: { kind: ks.kind, name: ks.name, fallback: ks.fallback },
      data: dataInfo,
      optimizer: { name: 'AdamW', lr: o.lr, warmup: o.warmup, weight_decay: o.weightDecay, clip_norm: CLIP_NORM, steps: o.steps },
    };
    return new Trainer(model, data, params, opt, o, info, kernels);
  }

  /** One optimizer step; a non-finite loss is returned as is (the caller stops). */
  step(): StepResult {
    const t0 = performance.now();
    const n = ++this.n;
    const d = this.data[(n - 1) % this.data.length]!;
    const lr = learningRateForStep(n, this.o.lr, this.o.warmup, this.o.steps);
    this.model.zeroGrad();
    const loss = this.model.forward(d.inputs, d.targets, d.B, d.T);
    let norm = NaN;
    if (Number.isFinite(loss)) {
      this.model.backward();
      norm = gradNorm(this.params, this.kernels);
      // clipping folded into the update: one pass over the gradients fewer
      if (Number.isFinite(norm)) this.opt.step(lr, clipScale(norm, CLIP_NORM));
    }
    // Past the last prepared batch (--batches cycles), the epoch keeps counting.
    const cycles = Math.floor((n - 1) / this.data.length);
    const epoch = this.o.batches ? cycles + d.epoch : d.epoch;
    return { step: n, loss, grad_norm: norm, learning_rate: lr, epoch, tokens: d.B * d.T, seconds: (performance.now() - t0) / 1000 };
  }
}

function prepare(b: Batch, i: number, cfg: Gpt2Config, hf: boolean, epoch: number, file: string): Prepared {
  const B = b.input_ids.length;
  const T = b.input_ids[0]!.length;
  if (T > cfg.nPositions) throw new RleError('E_INPUT_FORMAT', `batch ${i}: rows of ${T} tokens exceed the model's context (${cfg.nPositions})`, { file });
  const inputs = Int32Array.from(b.input_ids.flat());
  const labels = Int32Array.from(b.labels.flat());
  const tooBig = (a: Int32Array): number => a.findIndex((v) => v >= cfg.vocabSize);
  const bad = tooBig(inputs) >= 0 ? inputs[tooBig(inputs)] : tooBig(labels) >= 0 ? labels[tooBig(labels)] : undefined;
  if (bad !== undefined) {
    throw new RleError('E_INPUT_FORMAT', `batch ${i}: token id ${bad} is outside the model's vocabulary (${cfg.vocabSize} tokens)`, { file });
  }
  const targets = hf ? hfLabelsToTargets(labels, B, T) : labels;
  if (!targets.some((v) => v !== IGNORE)) throw new RleError('E_INPUT_FORMAT', `batch ${i}: every label is ${IGNORE}, nothing to learn from`, { file });
  return { inputs, targets, B, T, epoch };
}
