/**
 * The portable GPT-2 forward/backward on a micro model in float64: every parameter tensor's
 * analytic gradient against central finite differences, and basic sanity of the loss.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Gpt2, hfLabelsToTargets, IGNORE } from '../../src/train/gpt2.js';
import type { Gpt2Config } from '../../src/train/gpt2-config.js';
import { rng } from '../helpers.js';

const MICRO: Gpt2Config = { vocabSize: 11, nPositions: 8, nEmbd: 8, nLayer: 2, nHead: 2, layerNormEpsilon: 1e-5, tieWordEmbeddings: true };
const B = 2;
const T = 5;

function micro(seed: number): { model: Gpt2; inputs: Int32Array; labels: Int32Array } {
  const model = new Gpt2(MICRO, (n) => new Float64Array(n));
  const u = rng(seed);
  model.initRandom(u);
  // Larger than GPT-2's 0.02 so that every path carries a gradient big enough to check.
  for (const a of model.params.values()) for (let i = 0; i < a.length; i++) a[i]! += 0.3 * (u() - 0.5);
  const inputs = Int32Array.from({ length: B * T }, () => Math.floor(u() * MICRO.vocabSize));
  const labels = hfLabelsToTargets(inputs, B, T);
  labels[B * T - 3] = IGNORE; // one more ignored target
  return { model, inputs, labels };
}

describe('GPT-2 portable forward/backward', () => {
  it('starts near ln(vocab) at GPT-2 initialisation, and ignores -100 labels', () => {
    const model = new Gpt2(MICRO, (n) => new Float64Array(n));
    model.initRandom(rng(3));
    const inputs = Int32Array.from({ length: B * T }, (_, i) => i % MICRO.vocabSize);
    const loss = model.forward(inputs, hfLabelsToTargets(inputs, B, T), B, T);
    assert.ok(Math.abs(loss - Math.log(MICRO.vocabSize)) < 0.1, `loss ${loss}`);
    const allIgnored = new Int32Array(B * T).fill(IGNORE);
    assert.ok(Number.isNaN(model.forward(inputs, allIgnored, B, T)));
  });
  it('analytic gradients match central finite differences for every tensor', () => {
    const { model, inputs, labels } = micro(1);
    model.zeroGrad();
    model.forward(inputs, labels, B, T);
    model.backward();
    const h = 1e-5;
    const u = rng(9);
    let checked = 0;
    for (const [name, p] of model.params) {
      const g = model.grads.get(name)!;
      // a few entries per tensor, always including the largest gradient
      let big = 0;
      for (let i = 1; i < g.length; i++) if (Math.abs(g[i]!) > Math.abs(g[big]!)) big = i;
      const idx = [big, Math.floor(u() * p.length), Math.floor(u() * p.length)];
      for (const i of idx) {
        const keep = p[i]!;
        p[i] = keep + h;
        const up = model.forward(inputs, labels, B, T);
        p[i] = keep - h;
        const down = model.forward(inputs, labels, B, T);
        p[i] = keep;
        const fd = (up - down) / (2 * h);
        const err = Math.abs(fd - g[i]!) / Math.max(1e-6, Math.abs(fd) + Math.abs(g[i]!));
        assert.ok(err < 1e-5, `${name}[${i}]: analytic ${g[i]}, finite difference ${fd}`);
        checked++;
      }
    }
    assert.equal(checked, 3 * model.params.size);
  });
  it('turns HF labels into targets: position t predicts label t+1, each row\'s last predicts nothing', () => {
    const t = hfLabelsToTargets(Int32Array.from([1, 2, 3, 4, 5, 6]), 2, 3);
    assert.deepEqual([...t], [2, 3, IGNORE, 5, 6, IGNORE]);
  });
  it('a few steps of gradient descent lower the loss', () => {
    const { model, inputs, labels } = micro(2);
    const losses: number[] = [];
    for (let s = 0; s < 5; s++) {
      model.zeroGrad();
      losses.push(model.forward(inputs, labels, B, T));
      model.backward();
      for (const [name, p] of model.params) {
        const g = model.grads.get(name)!;
        for (let i = 0; i < p.length; i++) p[i]! -= 0.1 * g[i]!;
      }
    }
    assert.ok(losses[4]! < losses[0]!, losses.join(' → '));
  });
});
