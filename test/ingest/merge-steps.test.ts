import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StepMerger } from '../../src/ingest/merge-steps.js';

describe('StepMerger', () => {
  it('unites fields of one step; each field and the time take the latest record', () => {
    const m = new StepMerger();
    m.add(3, 100.2, { loss: 2 });
    m.add(3, 100.1, { grad_norm: 0.5 });
    m.add(3, 100.3, { loss: 1.5 });
    m.add(3, 99, { loss: 7 }); // older: loses
    m.add(1, 50, { learning_rate: 0.1 }, { t_start: 49 });
    assert.deepEqual(m.steps(), [
      { step: 1, t: 50, t_start: 49, loss: null, grad_norm: null, learning_rate: 0.1, epoch: null, tokens: null },
      { step: 3, t: 100.3, t_start: null, loss: 1.5, grad_norm: 0.5, learning_rate: null, epoch: null, tokens: null },
    ]);
  });
  it('lets epoch-only (untimed) records fill a step but neither make one nor move its time', () => {
    const m = new StepMerger();
    m.add(10, 200, { loss: 1 });
    m.add(10, 260, { epoch: 2 }); // HF end-of-run log, a minute later
    m.add(11, 300, { epoch: 2 });
    m.add(10, 270, { tokens: 64 }, { timed: false });
    assert.deepEqual(m.steps(), [{ step: 10, t: 200, t_start: null, loss: 1, grad_norm: null, learning_rate: null, epoch: 2, tokens: 64 }]);
  });
  it('keeps a timed record with no values as a step (a JSON line with only step and time)', () => {
    const m = new StepMerger();
    m.add(1, 10, {}, { timed: true });
    assert.equal(m.steps()[0]!.t, 10);
  });
});
