import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StepCollector } from '../../src/capture/step-collector.js';
import type { StepRecord } from '../../src/store/session-store.js';

describe('StepCollector', () => {
  it('splits each stream into lines across chunks, stamps steps on arrival, numbers the unnumbered', () => {
    let now = 100;
    const got: StepRecord[] = [];
    const c = new StepCollector(() => now, 'auto', (s) => got.push(s));
    const out = c.stream();
    out(Buffer.from("{'loss': 4.5, 'grad_norm': 1.2, 'learning_rate': 0.0, 'epoch': 0.1}\n{'lo"));
    now = 101;
    out(Buffer.from("ss': 4.1, 'grad_norm': 1.1, 'learning_rate': 1e-05, 'epoch': 0.2}\r\nnot a metric\n"));
    out('{"step": 10, "loss": 3.9, "grad_norm": 1}\n' + "{'loss': nan, 'grad_norm': 2.0, 'step': 11}\n");
    out('{"loss": 3.5}');
    out(null);
    assert.deepEqual(got.map((s) => [s.step, s.t, s.loss]), [[1, 100, 4.5], [2, 101, 4.1], [10, 101, 3.9], [11, 101, NaN], [12, 101, 3.5]]);
    assert.equal(c.count, 5);
    assert.equal(c.nonFinite, 1);
  });
});
