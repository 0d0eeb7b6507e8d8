import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TRAIN_DEFAULTS, trainOptions } from '../../src/train/defaults.js';

describe('training defaults', () => {
  it('are the defaults, with overrides applied and the threads of this machine', () => {
    const o = trainOptions({ steps: 7, lr: 1e-3 });
    assert.equal(o.steps, 7);
    assert.equal(o.lr, 1e-3);
    assert.equal(o.batch, TRAIN_DEFAULTS.batch);
    assert.ok(Number.isInteger(o.threads) && o.threads >= 1);
    assert.deepEqual(trainOptions({ dataset: undefined }).dataset, null, 'undefined keeps the default');
  });
  it('reject unknown keys and wrong types with the key named', () => {
    assert.throws(() => trainOptions({ step: 3 }), /training option "step" is not one of preset, modelDir, steps/);
    assert.throws(() => trainOptions({ steps: 0 }), /steps: expected a whole number ≥ 1, got 0/);
    assert.throws(() => trainOptions({ lr: '5e-5' }), /lr: expected a finite number ≥ 0/);
    assert.throws(() => trainOptions({ modelDir: 3 }), /modelDir: expected a string or null/);
    assert.throws(() => trainOptions({ labels: 'raw' }), /labels: expected "targets" or "hf"/);
    assert.throws(() => trainOptions({ kernels: 'cuda' }), /kernels: one of auto, native, wasm, js/);
  });
});

describe('the demo', () => {
  it('learning rates by model: from scratch for presets, a fine-tuning rate for pretrained weights, the given one wins', () => {
    assert.equal(trainOptions({}).lr, 3e-3);
    assert.equal(trainOptions({ preset: 'distilgpt2' }).lr, 6e-4);
    assert.equal(trainOptions({ modelDir: '/m' }).lr, 5e-5);
    assert.equal(trainOptions({ lr: 1e-4 }).lr, 1e-4);
  });
  it("the defaults' 20 steps show learning: the loss falls by at least 25 %", async () => {
    const { Trainer } = await import('../../src/train/trainer.js');
    const tr = await Trainer.create(trainOptions({ threads: 2 }));
    const losses: number[] = [];
    for (let i = 0; i < TRAIN_DEFAULTS.steps; i++) losses.push(tr.step().loss);
    const fall = 1 - losses.at(-1)! / losses[0]!;
    assert.ok(fall >= 0.25, `loss ${losses[0]!.toFixed(2)} → ${losses.at(-1)!.toFixed(2)} (−${(100 * fall).toFixed(1)} %)`);
  });
});
