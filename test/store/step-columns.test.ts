/** Steps as columns and back: the same records, keys in the same order, nulls as nulls. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StepRecord } from '../../src/store/session-store.js';
import { columnBuffers, fromColumns, toColumns } from '../../src/store/step-columns.js';

describe('step columns', () => {
  it('round-trip every field, null or not, and every t_source', () => {
    const steps: StepRecord[] = [
      { step: 1, t: 1_767_225_720.1234, t_start: null, t_source: null, loss: 3.25, grad_norm: null, learning_rate: 3e-4, tokens: 4096, epoch: null },
      { step: 2, t: 1_767_225_720.5, t_start: 1_767_225_720.1234, t_source: 'own', loss: null, grad_norm: 0, learning_rate: null, tokens: null, epoch: 0.5 },
      { step: 7, t: -0.5, t_start: -1, t_source: 'burst', loss: -0, grad_norm: 1e308, learning_rate: 5e-324, tokens: 0, epoch: 2 },
      { step: 8, t: 9, t_start: 8, t_source: 'arrival', loss: 1, grad_norm: 2, learning_rate: 3, tokens: 4, epoch: 5 },
    ];
    const back = fromColumns(toColumns(steps));
    assert.deepEqual(back, steps);
    assert.deepEqual(back.map((s) => Object.keys(s)), steps.map(() => ['step', 't', 't_start', 't_source', 'loss', 'grad_norm', 'learning_rate', 'tokens', 'epoch']));
    assert.deepEqual(fromColumns(toColumns([])), []);
  });
  it('hands over one buffer per column, for transfer', () => {
    const c = toColumns([{ step: 1, t: 2, t_start: null, t_source: null, loss: null, grad_norm: null, learning_rate: null, tokens: null, epoch: null }]);
    assert.equal(new Set(columnBuffers(c)).size, 9);
  });
});
