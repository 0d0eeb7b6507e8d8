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
    now = 102;
    out('{"step": 10, "loss": 3.9, "grad_norm": 1}\n');
    now = 103;
    out("{'loss': nan, 'grad_norm': 2.0, 'step': 11}\n");
    now = 104;
    out('{"loss": 3.5}');
    out(null);
    assert.deepEqual(got.map((s) => [s.step, s.t, s.loss, s.t_source]), [[1, 100, 4.5, 'arrival'], [2, 101, 4.1, 'arrival'], [10, 102, 3.9, 'arrival'], [11, 103, NaN, 'arrival'], [12, 104, 3.5, 'arrival']]);
    assert.equal(c.count, 5);
    assert.equal(c.nonFinite, 1);
  });
});

describe('StepCollector timing', () => {
  it("a line's own time wins over arrival, and a later line of the same step adds to it", () => {
    const got: StepRecord[] = [];
    const c = new StepCollector(() => 1_767_225_700, 'auto', (s) => got.push(s));
    c.line('{"step": 1, "start": 1767225600, "time": 1767225600.3, "tokens": 64}', 1_767_225_700);
    c.line('{"step": 1, "loss": 2.5, "grad_norm": 0.7}', 1_767_225_700);
    assert.equal(c.count, 1);
    assert.deepEqual(got.at(-1), { step: 1, t: 1767225600.3, t_start: 1767225600, t_source: 'own', loss: 2.5, grad_norm: 0.7, learning_rate: null, tokens: 64, epoch: null });
  });
  it('several steps arriving within a few ms with no time of their own are marked burst, once each, and said once', () => {
    const got = new Map<number, StepRecord>();
    let bursts = 0;
    let now = 50;
    const c = new StepCollector(() => now, 'jsonl', (s) => got.set(s.step, s), () => bursts++);
    const out = c.stream();
    out('{"step": 1, "loss": 1}\n');
    now = 51;
    out('{"step": 2, "loss": 1}\n{"step": 3, "loss": 1}\n{"step": 4, "loss": 1}\n{"step": 5, "loss": 1}\n');
    now = 60;
    out('{"step": 6, "loss": 1}\n');
    assert.deepEqual([...got.values()].map((s) => [s.step, s.t_source]), [[1, 'arrival'], [2, 'burst'], [3, 'burst'], [4, 'burst'], [5, 'burst'], [6, 'arrival']]);
    assert.equal(c.burst, 4);
    assert.equal(bursts, 1);
  });
});
