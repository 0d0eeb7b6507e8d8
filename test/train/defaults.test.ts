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
