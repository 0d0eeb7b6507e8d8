import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdamW, clipGradNorm, type Param } from '../../src/train/optim.js';
import { learningRate, learningRateForStep } from '../../src/train/schedule.js';

const param = (data: number[], grad: number[], decay = true): Param => ({ name: 'w', data: Float32Array.from(data), grad: Float32Array.from(grad), decay });

describe('learning-rate schedule (HF linear with warm-up)', () => {
  it('warms up from 0, then decays to 0; step n trains with lr(n − 1)', () => {
    // base 5e-5, warm-up 5, 20 steps, as in the original study's log
    const lrs = Array.from({ length: 20 }, (_, i) => learningRateForStep(i + 1, 5e-5, 5, 20));
    [0, 1e-5, 2e-5, 3e-5, 4e-5, 5e-5].forEach((want, i) => assert.ok(Math.abs(lrs[i]! - want) < 1e-18, `step ${i + 1}: ${lrs[i]}`));
    assert.ok(Math.abs(lrs[6]! - (5e-5 * 14) / 15) < 1e-18);
    assert.ok(Math.abs(lrs[19]! - 5e-5 / 15) < 1e-18);
    assert.equal(learningRate(20, 5e-5, 5, 20), 0);
    assert.equal(learningRateForStep(1, 1e-3, 0, 10), 1e-3); // no warm-up: full rate at once
  });
});

describe('AdamW (torch.optim.AdamW semantics)', () => {
  it('matches a hand-computed first step with decoupled weight decay', () => {
    // p = 1, g = 0.5, lr 0.1, wd 0.01: p·(1 − 0.001) = 0.999; m̂ = 0.5, v̂ = 0.25;
    // p −= 0.1 · 0.5 / (0.5 + 1e-8) → 0.999 − 0.09999999800000004 = 0.899000002
    const p = param([1], [0.5]);
    new AdamW([p], { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }).step(0.1);
    assert.ok(Math.abs(p.data[0]! - 0.899000002) < 1e-7, String(p.data[0]));
  });
  it('does not decay parameters marked decay: false, and bias-corrects later steps', () => {
    const p = param([1, 1], [0.5, -0.25], false);
    const opt = new AdamW([p], { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.5 });
    opt.step(0.1);
    assert.ok(Math.abs(p.data[0]! - 0.9) < 1e-6 && Math.abs(p.data[1]! - 1.1) < 1e-6);
    // second step, same gradients: m̂ = g and v̂ = g² again, so the same step of lr·sign(g)
    opt.step(0.1);
    assert.ok(Math.abs(p.data[0]! - 0.8) < 1e-6 && Math.abs(p.data[1]! - 1.2) < 1e-6);
  });
});

describe('clipGradNorm', () => {
  it('returns the pre-clip norm and scales to max_norm / (norm + 1e-6)', () => {
    const a = param([0, 0], [3, 0]);
    const b = param([0], [4]);
    assert.equal(clipGradNorm([a, b], 1), 5);
    assert.ok(Math.abs(a.grad[0]! - 3 / (5 + 1e-6)) < 1e-7);
    assert.ok(Math.abs(b.grad[0]! - 4 / (5 + 1e-6)) < 1e-7);
  });
  it('leaves small gradients alone', () => {
    const a = param([0], [0.3]);
    assert.ok(Math.abs(clipGradNorm([a], 1) - 0.3) < 1e-7);
    assert.equal(a.grad[0], Math.fround(0.3));
  });
});
