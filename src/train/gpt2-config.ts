/**
 * GPT-2 checkpoints from the Hugging Face hub: the model's `config.json`, the normalised
 * names of the tensors in its `model.safetensors`, and the shape each must have.
 */
import fsp from 'node:fs/promises';
import { RleError } from '../errors.js';
import { fsErrorReason } from '../store/files.js';
import { parseJsonText } from '../store/json-input.js';

export interface Gpt2Config {
  /** Tokens in the vocabulary: rows of `wte`. */
  readonly vocabSize: number;
  /** Longest context (tokens): rows of `wpe`. */
  readonly nPositions: number;
  /** Width of the residual stream (channels). */
  readonly nEmbd: number;
  /** Transformer blocks. */
  readonly nLayer: number;
  /** Attention heads per block; each is nEmbd / nHead channels wide. */
  readonly nHead: number;
  /** Added to the variance inside every LayerNorm. */
  readonly layerNormEpsilon: number;
  /** The output projection is `wte` transposed (GPT-2 checkpoints store no `lm_head`). */
  readonly tieWordEmbeddings: boolean;
}

const GPT2_BASE = { vocabSize: 50257, nPositions: 1024, layerNormEpsilon: 1e-5, tieWordEmbeddings: true };

/** GPT-2's shapes as presets (random init): GPT-2's vocabulary and context, a small and DistilGPT-2's width and depth. */
export const PRESETS: Readonly<Record<string, Gpt2Config>> = {
  tiny: { ...GPT2_BASE, nLayer: 4, nEmbd: 128, nHead: 4 },
  distilgpt2: { ...GPT2_BASE, nLayer: 6, nEmbd: 768, nHead: 12 },
};

/**
 * Reads a GPT-2 `config.json`. The size keys are required (a config saved by transformers
 * always has them); `layer_norm_epsilon` defaults to 1e-5 and `tie_word_embeddings` to true,
 * as in transformers. `n_ctx` stands in for `n_positions` in old configs.
 */
export async function readGpt2Config(file: string): Promise<Gpt2Config> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    throw new RleError('E_INPUT_MISSING', `cannot read: ${fsErrorReason(err)}`, { file });
  }
  const bad = (m: string): RleError => new RleError('E_INPUT_FORMAT', `GPT-2 config: ${m}`, { file });
  let json: unknown;
  try {
    json = parseJsonText(text);
  } catch (err) {
    throw bad(`not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('not a JSON object');
  const c = json as Record<string, unknown>;

  if (c.model_type !== undefined && c.model_type !== 'gpt2') {
    throw bad(`"model_type" is ${JSON.stringify(c.model_type)}, expected "gpt2"`);
  }
  const positive = (key: string): number => {
    const v = c[key];
    if (v === undefined) throw bad(`"${key}" is missing`);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      throw bad(`"${key}" must be a positive integer, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const vocabSize = positive('vocab_size');
  const nPositions = c.n_positions === undefined && c.n_ctx !== undefined ? positive('n_ctx') : positive('n_positions');
  const nEmbd = positive('n_embd');
  const nLayer = positive('n_layer');
  const nHead = positive('n_head');
  if (nEmbd % nHead !== 0) throw bad(`"n_embd" ${nEmbd} is not divisible by "n_head" ${nHead}`);
  // The MLP width is fixed at 4 · n_embd by the shapes below; other widths are not supported.
  if (c.n_inner !== undefined && c.n_inner !== null && c.n_inner !== 4 * nEmbd) {
    throw bad(`"n_inner" ${JSON.stringify(c.n_inner)} is not supported (only null or 4 · n_embd = ${4 * nEmbd})`);
  }

  const eps = c.layer_norm_epsilon ?? 1e-5;
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps <= 0) {
    throw bad(`"layer_norm_epsilon" must be a positive number, got ${JSON.stringify(eps)}`);
  }
  const tie = c.tie_word_embeddings ?? true;
  if (typeof tie !== 'boolean') throw bad(`"tie_word_embeddings" must be true or false, got ${JSON.stringify(tie)}`);

  return { vocabSize, nPositions, nEmbd, nLayer, nHead, layerNormEpsilon: eps, tieWordEmbeddings: tie };
}

/** Per-block parameters, relative to `h.N.`. */
const BLOCK_PARAM = /^h\.\d+\.(ln_1|ln_2|attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.(weight|bias)$/;
/** Per-block buffers a checkpoint may carry: the causal mask and its fill value, not weights. */
const BLOCK_BUFFER = /^h\.\d+\.attn\.(bias|masked_bias)$/;

/**
 * A checkpoint key in the form expectedGpt2Shapes uses: a leading `transformer.` (the
 * GPT2LMHeadModel prefix) is stripped. Null for keys to skip: the attention-mask buffers and
 * `lm_head.weight` (tied to `wte`). Any other key comes back stripped but otherwise as is, so
 * the loader can report it as unexpected by its absence from expectedGpt2Shapes.
 */
export function gpt2TensorName(raw: string): string | null {
  if (raw === 'lm_head.weight') return null;
  const name = raw.startsWith('transformer.') ? raw.slice('transformer.'.length) : raw;
  if (BLOCK_BUFFER.test(name)) return null;
  return name;
}

/** True for the names GPT-2 parameters have after gpt2TensorName. */
export function isGpt2ParamName(name: string): boolean {
  return name === 'wte.weight' || name === 'wpe.weight' || name === 'ln_f.weight' || name === 'ln_f.bias' || BLOCK_PARAM.test(name);
}

/**
 * Every parameter of a GPT-2 model with its shape, in checkpoint order. The Conv1D layers
 * (c_attn, c_proj, c_fc) store their weights as [in, out], the transpose of nn.Linear.
 */
export function expectedGpt2Shapes(cfg: Gpt2Config): Map<string, number[]> {
  const e = cfg.nEmbd;
  const shapes = new Map<string, number[]>([
    ['wte.weight', [cfg.vocabSize, e]],
    ['wpe.weight', [cfg.nPositions, e]],
  ]);
  for (let i = 0; i < cfg.nLayer; i++) {
    const h = `h.${i}.`;
    shapes.set(`${h}ln_1.weight`, [e]);
    shapes.set(`${h}ln_1.bias`, [e]);
    shapes.set(`${h}attn.c_attn.weight`, [e, 3 * e]);
    shapes.set(`${h}attn.c_attn.bias`, [3 * e]);
    shapes.set(`${h}attn.c_proj.weight`, [e, e]);
    shapes.set(`${h}attn.c_proj.bias`, [e]);
    shapes.set(`${h}ln_2.weight`, [e]);
    shapes.set(`${h}ln_2.bias`, [e]);
    shapes.set(`${h}mlp.c_fc.weight`, [e, 4 * e]);
    shapes.set(`${h}mlp.c_fc.bias`, [4 * e]);
    shapes.set(`${h}mlp.c_proj.weight`, [4 * e, e]);
    shapes.set(`${h}mlp.c_proj.bias`, [e]);
  }
  shapes.set('ln_f.weight', [e]);
  shapes.set('ln_f.bias', [e]);
  return shapes;
}
