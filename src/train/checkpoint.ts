/**
 * Loading a Hugging Face GPT-2-family checkpoint directory (`config.json` + `model.safetensors`)
 * into a Gpt2 model: keys with or without the `transformer.` prefix, float32/float16/bfloat16,
 * buffers (`attn.bias`) and the tied `lm_head.weight` ignored; every parameter must be present
 * with its expected shape, and nothing unexpected may be left over.
 */
import path from 'node:path';
import { RleError } from '../errors.js';
import { Gpt2 } from './gpt2.js';
import { expectedGpt2Shapes, gpt2TensorName, readGpt2Config } from './gpt2-config.js';
import { SafeTensors } from './safetensors.js';
import type { Kernels } from './kernels/types.js';

export async function loadGpt2Checkpoint(dir: string, kernels?: Kernels): Promise<Gpt2> {
  const cfg = await readGpt2Config(path.join(dir, 'config.json'));
  const file = path.join(dir, 'model.safetensors');
  const st = await SafeTensors.open(file);
  try {
    const model = new Gpt2(cfg, Float32Array, kernels);
    const shapes = expectedGpt2Shapes(cfg);
    const seen = new Set<string>();
    for (const raw of st.names()) {
      const name = gpt2TensorName(raw);
      if (name === null) continue;
      const want = shapes.get(name);
      if (!want) throw new RleError('E_INPUT_FORMAT', `unexpected tensor "${raw}" for a GPT-2 model`, { file });
      const got = st.info(raw)!.shape;
      if (got.join(',') !== want.join(',')) {
        throw new RleError('E_INPUT_FORMAT', `tensor "${raw}" has shape [${got.join(', ')}], expected [${want.join(', ')}] from config.json`, { file });
      }
      if (seen.has(name)) throw new RleError('E_INPUT_FORMAT', `tensor "${name}" appears twice (with and without a prefix?)`, { file });
      seen.add(name);
      model.params.get(name)!.set(st.readFloat32(raw));
    }
    const missing = [...shapes.keys()].filter((n) => !seen.has(n));
    if (missing.length > 0) {
      throw new RleError('E_INPUT_FORMAT', `missing ${missing.length} tensor(s): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`, { file });
    }
    return model;
  } finally {
    await st.close();
  }
}
