/**
 * Loading a Hugging Face GPT-2-family checkpoint directory (`config.json` + `model.safetensors`)
 * into a Gpt2 model: keys with or without the `transformer.` prefix, float32/float16/bfloat16,
 * buffers (`attn.bias`) and the tied `lm_head.weight` ignored; every parameter must be present
 * with its expected shape, and nothing unexpected may be left over.
 */
import path from 'node:path';
import { RleError } from '../errors.js';
import { Gpt2 } from './gpt2.js';
import { expectedGpt2Shapes, gpt2TensorName, readGpt2Config, type Gpt2Config } from './gpt2-config.js';
import { checkTrainingMemory } from './memory-budget.js';
import { READABLE, SafeTensors } from './safetensors.js';
import type { Kernels } from './kernels/types.js';

/**
 * The checkpoint's tensors against the config: every parameter present once with its shape
 * and a readable dtype, nothing unexpected. Reads the header only.
 */
function checkTensors(st: SafeTensors, cfg: Gpt2Config, file: string): Map<string, string> {
  const shapes = expectedGpt2Shapes(cfg);
  const byName = new Map<string, string>();
  for (const raw of st.names()) {
    const name = gpt2TensorName(raw);
    if (name === null) continue;
    const want = shapes.get(name);
    if (!want) throw new RleError('E_INPUT_FORMAT', `unexpected tensor "${raw}" for a GPT-2 model`, { file });
    const info = st.info(raw)!;
    if (info.shape.join(',') !== want.join(',')) {
      throw new RleError('E_INPUT_FORMAT', `tensor "${raw}" has shape [${info.shape.join(', ')}], expected [${want.join(', ')}] from config.json`, { file });
    }
    if (!READABLE.includes(info.dtype)) {
      throw new RleError('E_INPUT_FORMAT', `tensor "${raw}" has dtype ${info.dtype}, which cannot be read as float32 (readable: ${READABLE.join(', ')})`, { file });
    }
    if (byName.has(name)) throw new RleError('E_INPUT_FORMAT', `tensor "${name}" appears twice (with and without a prefix?)`, { file });
    byName.set(name, raw);
  }
  const missing = [...shapes.keys()].filter((n) => !byName.has(n));
  if (missing.length > 0) {
    throw new RleError('E_INPUT_FORMAT', `missing ${missing.length} tensor(s): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`, { file });
  }
  return byName;
}

/**
 * A checkpoint directory checked without loading it: config.json (its dimensions within the
 * memory budget for `shape`, before anything is allocated) and the safetensors header.
 */
export async function checkGpt2Checkpoint(dir: string, shape: { batch: number; seq: number }, from: { batches?: string } = {}): Promise<Gpt2Config> {
  const cfgFile = path.join(dir, 'config.json');
  const cfg = await readGpt2Config(cfgFile);
  checkTrainingMemory(cfg, shape.batch, shape.seq, { ...from, model: cfgFile });
  const file = path.join(dir, 'model.safetensors');
  const st = await SafeTensors.open(file);
  try {
    checkTensors(st, cfg, file);
  } finally {
    await st.close();
  }
  return cfg;
}

/** @param alloc where the model's arrays live (a kernel set's, see Gpt2); ordinary Float32Arrays by default */
export async function loadGpt2Checkpoint(dir: string, kernels?: Kernels, alloc?: (n: number) => Float32Array): Promise<Gpt2> {
  const cfg = await readGpt2Config(path.join(dir, 'config.json'));
  checkTrainingMemory(cfg, 1, 1, { model: path.join(dir, 'config.json') });
  const file = path.join(dir, 'model.safetensors');
  const st = await SafeTensors.open(file);
  try {
    const byName = checkTensors(st, cfg, file);
    const model = new Gpt2(cfg, alloc, kernels);
    for (const [name, raw] of byName) model.params.get(name)!.set(st.readFloat32(raw));
    return model;
  } finally {
    await st.close();
  }
}
