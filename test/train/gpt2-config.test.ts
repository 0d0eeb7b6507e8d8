import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RleError } from '../../src/errors.js';
import { expectedGpt2Shapes, gpt2TensorName, isGpt2ParamName, readGpt2Config, type Gpt2Config } from '../../src/train/gpt2-config.js';
import { SafeTensors } from '../../src/train/safetensors.js';
import { writeSafeTensors } from '../../src/train/safetensors-write.js';
import { tmpDir } from '../helpers.js';

/** distilgpt2's config.json as published on the Hugging Face hub. */
const DISTILGPT2 = {
  _num_labels: 1,
  activation_function: 'gelu_new',
  architectures: ['GPT2LMHeadModel'],
  attn_pdrop: 0.1,
  bos_token_id: 50256,
  embd_pdrop: 0.1,
  eos_token_id: 50256,
  id2label: { '0': 'LABEL_0' },
  initializer_range: 0.02,
  label2id: { LABEL_0: 0 },
  layer_norm_epsilon: 1e-5,
  model_type: 'gpt2',
  n_ctx: 1024,
  n_embd: 768,
  n_head: 12,
  n_layer: 6,
  n_positions: 1024,
  resid_pdrop: 0.1,
  summary_activation: null,
  summary_first_dropout: 0.1,
  summary_proj_to_labels: true,
  summary_type: 'cls_index',
  summary_use_proj: true,
  task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } },
  vocab_size: 50257,
};

function configFile(json: unknown): string {
  const file = path.join(tmpDir(), 'config.json');
  fs.writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json, null, 2));
  return file;
}

async function configError(file: string): Promise<RleError> {
  try {
    await readGpt2Config(file);
  } catch (e) {
    assert.ok(e instanceof RleError, String(e));
    return e;
  }
  assert.fail('expected an error');
}

const TINY: Gpt2Config = { vocabSize: 11, nPositions: 8, nEmbd: 4, nLayer: 2, nHead: 2, layerNormEpsilon: 1e-5, tieWordEmbeddings: true };

describe('readGpt2Config', () => {
  it('reads distilgpt2', async () => {
    assert.deepEqual(await readGpt2Config(configFile(DISTILGPT2)), {
      vocabSize: 50257,
      nPositions: 1024,
      nEmbd: 768,
      nLayer: 6,
      nHead: 12,
      layerNormEpsilon: 1e-5,
      tieWordEmbeddings: true,
    });
  });
  it('falls back to n_ctx, and defaults epsilon and tying as transformers does', async () => {
    const { n_positions: _p, layer_norm_epsilon: _e, model_type: _m, ...rest } = DISTILGPT2;
    const cfg = await readGpt2Config(configFile({ ...rest, n_ctx: 512 }));
    assert.equal(cfg.nPositions, 512);
    assert.equal(cfg.layerNormEpsilon, 1e-5);
    assert.equal(cfg.tieWordEmbeddings, true);
    const untied = await readGpt2Config(configFile({ ...DISTILGPT2, tie_word_embeddings: false, layer_norm_epsilon: 1e-6, n_inner: null }));
    assert.equal(untied.tieWordEmbeddings, false);
    assert.equal(untied.layerNormEpsilon, 1e-6);
    assert.equal((await readGpt2Config(configFile({ ...DISTILGPT2, n_inner: 3072 }))).nEmbd, 768);
  });
  it('rejects invalid configs with E_INPUT_FORMAT naming the key', async () => {
    const { n_embd: _, ...noEmbd } = DISTILGPT2;
    const { n_positions: _p, n_ctx: _c, ...noPositions } = DISTILGPT2;
    const cases: [unknown, RegExp][] = [
      ['{"vocab_size": ', /not valid JSON/],
      ['[1, 2]', /not a JSON object/],
      [{ ...DISTILGPT2, model_type: 'llama' }, /"model_type" is "llama", expected "gpt2"/],
      [noEmbd, /"n_embd" is missing/],
      [noPositions, /"n_positions" is missing/],
      [{ ...DISTILGPT2, vocab_size: '50257' }, /"vocab_size" must be a positive integer, got "50257"/],
      [{ ...DISTILGPT2, n_layer: 0 }, /"n_layer" must be a positive integer, got 0/],
      [{ ...DISTILGPT2, n_head: 1.5 }, /"n_head" must be a positive integer, got 1.5/],
      [{ ...DISTILGPT2, n_positions: -1 }, /"n_positions" must be a positive integer, got -1/],
      [{ ...DISTILGPT2, n_embd: 770 }, /"n_embd" 770 is not divisible by "n_head" 12/],
      [{ ...DISTILGPT2, n_inner: 1000 }, /"n_inner" 1000 is not supported/],
      [{ ...DISTILGPT2, layer_norm_epsilon: -1 }, /"layer_norm_epsilon" must be a positive number, got -1/],
      [{ ...DISTILGPT2, tie_word_embeddings: 'yes' }, /"tie_word_embeddings" must be true or false, got "yes"/],
    ];
    for (const [json, message] of cases) {
      const file = configFile(json);
      const e = await configError(file);
      assert.equal(e.code, 'E_INPUT_FORMAT');
      assert.equal(e.where.file, file);
      assert.match(e.message, message);
    }
  });
  it('a missing file → E_INPUT_MISSING', async () => {
    const file = path.join(tmpDir(), 'config.json');
    const e = await configError(file);
    assert.equal(e.code, 'E_INPUT_MISSING');
    assert.equal(e.where.file, file);
    assert.match(e.message, /no such file/);
  });
});

describe('gpt2TensorName', () => {
  it('strips transformer., skips mask buffers and the tied lm_head, keeps parameters', () => {
    assert.equal(gpt2TensorName('transformer.wte.weight'), 'wte.weight');
    assert.equal(gpt2TensorName('wpe.weight'), 'wpe.weight');
    assert.equal(gpt2TensorName('transformer.h.11.attn.c_attn.weight'), 'h.11.attn.c_attn.weight');
    assert.equal(gpt2TensorName('h.0.mlp.c_proj.bias'), 'h.0.mlp.c_proj.bias');
    assert.equal(gpt2TensorName('transformer.ln_f.bias'), 'ln_f.bias');
    assert.equal(gpt2TensorName('transformer.h.3.attn.bias'), null);
    assert.equal(gpt2TensorName('h.3.attn.masked_bias'), null);
    assert.equal(gpt2TensorName('lm_head.weight'), null);
    assert.equal(gpt2TensorName('transformer.h.0.attn.c_attn.bias'), 'h.0.attn.c_attn.bias');
    assert.equal(gpt2TensorName('transformer.foo.weight'), 'foo.weight');
  });
  it('isGpt2ParamName accepts parameter names only', () => {
    for (const n of ['wte.weight', 'wpe.weight', 'ln_f.weight', 'h.5.ln_2.bias', 'h.0.mlp.c_fc.weight']) assert.ok(isGpt2ParamName(n), n);
    for (const n of ['foo.weight', 'h.0.attn.bias', 'h.x.ln_1.weight', 'transformer.wte.weight', 'h.0.mlp.c_fc.scale']) assert.ok(!isGpt2ParamName(n), n);
  });
});

describe('expectedGpt2Shapes', () => {
  it('gives distilgpt2 its 76 tensors with Conv1D weights as [in, out]', async () => {
    const shapes = expectedGpt2Shapes(await readGpt2Config(configFile(DISTILGPT2)));
    assert.equal(shapes.size, 2 + 12 * 6 + 2);
    assert.deepEqual([...shapes.keys()].slice(0, 4), ['wte.weight', 'wpe.weight', 'h.0.ln_1.weight', 'h.0.ln_1.bias']);
    assert.deepEqual(shapes.get('wte.weight'), [50257, 768]);
    assert.deepEqual(shapes.get('wpe.weight'), [1024, 768]);
    assert.deepEqual(shapes.get('h.5.attn.c_attn.weight'), [768, 2304]);
    assert.deepEqual(shapes.get('h.5.attn.c_attn.bias'), [2304]);
    assert.deepEqual(shapes.get('h.5.attn.c_proj.weight'), [768, 768]);
    assert.deepEqual(shapes.get('h.5.mlp.c_fc.weight'), [768, 3072]);
    assert.deepEqual(shapes.get('h.5.mlp.c_fc.bias'), [3072]);
    assert.deepEqual(shapes.get('h.5.mlp.c_proj.weight'), [3072, 768]);
    assert.deepEqual(shapes.get('h.5.ln_2.weight'), [768]);
    assert.deepEqual(shapes.get('ln_f.bias'), [768]);
    assert.equal(shapes.get('h.6.ln_1.weight'), undefined);
    const params = [...shapes.values()].reduce((a, s) => a + s.reduce((x, d) => x * d, 1), 0);
    assert.equal(params, 81_912_576); // distilgpt2's parameter count (the hub card says 82M)
    for (const name of shapes.keys()) assert.ok(isGpt2ParamName(name), name);
  });
  it('matches an HF-style checkpoint once names are normalised', async () => {
    const file = path.join(tmpDir(), 'model.safetensors');
    const shapes = expectedGpt2Shapes(TINY);
    const tensors: Parameters<typeof writeSafeTensors>[1] = {};
    for (const [name, shape] of shapes) {
      const n = shape.reduce((a, d) => a * d, 1);
      tensors[`transformer.${name}`] = { dtype: 'F16', shape, data: Float32Array.from({ length: n }, (_, i) => i / 4) };
    }
    for (let i = 0; i < TINY.nLayer; i++) tensors[`transformer.h.${i}.attn.bias`] = { dtype: 'F32', shape: [1, 1, 8, 8], data: new Float32Array(64) };
    tensors['lm_head.weight'] = { dtype: 'F32', shape: [11, 4], data: new Float32Array(44) };
    await writeSafeTensors(file, tensors, { format: 'pt' });

    const st = await SafeTensors.open(file);
    const seen = new Map<string, number[]>();
    for (const raw of st.names()) {
      const name = gpt2TensorName(raw);
      if (name !== null) seen.set(name, st.info(raw)!.shape);
    }
    assert.deepEqual(new Map([...seen].sort()), new Map([...shapes].sort()));
    assert.deepEqual([...st.readFloat32('transformer.h.1.attn.c_attn.bias')], [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75]);
    await st.close();
  });
});
