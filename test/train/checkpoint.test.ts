import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RleError } from '../../src/errors.js';
import { loadGpt2Checkpoint } from '../../src/train/checkpoint.js';
import { Gpt2 } from '../../src/train/gpt2.js';
import { expectedGpt2Shapes, type Gpt2Config } from '../../src/train/gpt2-config.js';
import { writeSafeTensors } from '../../src/train/safetensors-write.js';
import { rng, tmpDir } from '../helpers.js';

const CFG: Gpt2Config = { vocabSize: 13, nPositions: 8, nEmbd: 8, nLayer: 2, nHead: 2, layerNormEpsilon: 1e-5, tieWordEmbeddings: true };
const HF_CONFIG = { model_type: 'gpt2', vocab_size: 13, n_positions: 8, n_embd: 8, n_layer: 2, n_head: 2, activation_function: 'gelu_new' };

/** Saves `model` as HF would: optional `transformer.` prefix, attn.bias buffers, a tied lm_head. */
async function save(model: Gpt2, dir: string, o: { prefix: boolean; dtype: 'F32' | 'F16' | 'BF16'; drop?: string }): Promise<void> {
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(HF_CONFIG));
  const pre = o.prefix ? 'transformer.' : '';
  const tensors: Record<string, { dtype: 'F32' | 'F16' | 'BF16'; shape: number[]; data: Float32Array }> = {};
  for (const [name, shape] of expectedGpt2Shapes(CFG)) {
    if (name === o.drop) continue;
    tensors[pre + name] = { dtype: o.dtype, shape, data: Float32Array.from(model.params.get(name)!) };
  }
  for (let l = 0; l < CFG.nLayer; l++) tensors[`${pre}h.${l}.attn.bias`] = { dtype: 'F32', shape: [1, 1, 8, 8], data: new Float32Array(64).fill(1) };
  tensors['lm_head.weight'] = { dtype: o.dtype, shape: [13, 8], data: Float32Array.from(model.params.get('wte.weight')!) };
  await writeSafeTensors(path.join(dir, 'model.safetensors'), tensors);
}

function source(): Gpt2 {
  const m = new Gpt2(CFG);
  m.initRandom(rng(5));
  return m;
}

describe('loadGpt2Checkpoint', () => {
  for (const prefix of [true, false]) {
    it(`loads float32 ${prefix ? 'with' : 'without'} the transformer. prefix, ignoring buffers and lm_head`, async () => {
      const dir = tmpDir();
      const m = source();
      await save(m, dir, { prefix, dtype: 'F32' });
      const loaded = await loadGpt2Checkpoint(dir);
      for (const [name, a] of m.params) assert.deepEqual(loaded.params.get(name), a, name);
      const inputs = Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
      assert.equal(loaded.forward(inputs, inputs, 2, 4), m.forward(inputs, inputs, 2, 4));
    });
  }
  it('loads float16 weights (to within half precision)', async () => {
    const dir = tmpDir();
    const m = source();
    await save(m, dir, { prefix: true, dtype: 'F16' });
    const loaded = await loadGpt2Checkpoint(dir);
    const a = m.params.get('h.1.mlp.c_fc.weight')!;
    const b = loaded.params.get('h.1.mlp.c_fc.weight')!;
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= Math.abs(a[i]!) * 2 ** -11 + 2 ** -24, `${i}`);
  });
  it('names a missing tensor', async () => {
    const dir = tmpDir();
    await save(source(), dir, { prefix: false, dtype: 'F32', drop: 'h.1.ln_2.bias' });
    await assert.rejects(loadGpt2Checkpoint(dir), (e: RleError) => e.code === 'E_INPUT_FORMAT' && /missing 1 tensor\(s\): h\.1\.ln_2\.bias/.test(e.message));
  });
  it('names a shape that disagrees with config.json', async () => {
    const dir = tmpDir();
    await save(source(), dir, { prefix: false, dtype: 'F32' });
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...HF_CONFIG, n_positions: 16 }));
    await assert.rejects(loadGpt2Checkpoint(dir), (e: RleError) => /tensor "wpe\.weight" has shape \[8, 8\], expected \[16, 8\]/.test(e.message));
  });
});
