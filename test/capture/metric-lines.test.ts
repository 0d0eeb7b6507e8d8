import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMetricLine } from '../../src/capture/metric-lines.js';

describe('parseMetricLine', () => {
  it('reads a Hugging Face Trainer log dict', () => {
    assert.deepEqual(parseMetricLine("{'loss': 4.5152, 'grad_norm': 12.8, 'learning_rate': 0.0, 'epoch': 0.4}"), {
      step: null, loss: 4.5152, grad_norm: 12.8, learning_rate: 0, epoch: 0.4, tokens: null, time: null, start: null,
    });
    // inside a progress-bar line, with nan and scientific notation
    const m = parseMetricLine("  5%|▌  | 1/20 [00:01<00:20] {'loss': nan, 'grad_norm': inf, 'learning_rate': 5e-05, 'epoch': 0.05}");
    assert.ok(m && Number.isNaN(m.loss) && m.grad_norm === Infinity && m.learning_rate === 5e-5);
  });
  it('reads JSON lines with step, lr and tokens', () => {
    assert.deepEqual(parseMetricLine('{"step": 7, "loss": 2.25, "grad_norm": 0.5, "lr": 0.001, "tokens": 512}'), {
      step: 7, loss: 2.25, grad_norm: 0.5, learning_rate: 0.001, epoch: null, tokens: 512, time: null, start: null,
    });
  });
  it("a line's own times: Unix seconds or ISO 8601 (time, timestamp, t, _timestamp; start, t_start); impossible times are not times", () => {
    assert.deepEqual([parseMetricLine('{"step": 1, "loss": 1, "time": 1767225600.5, "start": 1767225600.25}')?.time, parseMetricLine('{"step": 1, "loss": 1, "start": 1767225600.25}')?.start], [1767225600.5, 1767225600.25]);
    assert.equal(parseMetricLine('{"step": 1, "loss": 1, "timestamp": "2026-01-01T00:00:00.5Z"}')?.time, 1767225600.5);
    assert.equal(parseMetricLine('{"step": 1, "loss": 1, "_timestamp": 1767225600}')?.time, 1767225600);
    assert.equal(parseMetricLine('{"step": 1, "loss": 1, "t_start": "2026-01-01T00:00:00Z", "t": 1767225601}')?.start, 1767225600);
    assert.equal(parseMetricLine('{"step": 1, "loss": 1, "time": 1767225600500}')?.time, null, 'milliseconds are not Unix seconds');
    assert.equal(parseMetricLine('{"step": 1, "loss": 1, "time": "yesterday"}')?.time, null);
  });
  it('a timing-only line of the helper is a step; non-finite values as strings or as Python writes them', () => {
    assert.deepEqual(parseMetricLine('{"step": 3, "start": 1767225600, "time": 1767225601, "tokens": 64}'), { step: 3, loss: null, grad_norm: null, learning_rate: null, epoch: null, tokens: 64, time: 1767225601, start: 1767225600 });
    assert.equal(parseMetricLine('{"start": 1767225600, "time": 1767225601}'), null, 'no step number: not a step');
    const m = parseMetricLine('{"step": 4, "loss": "nan", "grad_norm": "inf"}')!;
    assert.ok(Number.isNaN(m.loss) && m.grad_norm === Infinity);
    const p = parseMetricLine('{"step": 5, "loss": NaN, "grad_norm": -Infinity}')!;
    assert.ok(Number.isNaN(p.loss) && p.grad_norm === -Infinity);
  });
  it('ignores lines that are not training steps', () => {
    for (const line of [
      "{'train_runtime': 1.2, 'train_loss': 4.1, 'epoch': 1.6}",
      "{'eval_loss': 3.2, 'epoch': 1.0}",
      '{"msg": "hello"}',
      'Step 3: loss 2.1',
      '{not json',
      '',
    ]) {
      assert.equal(parseMetricLine(line), null, line);
    }
  });
  it('honours a forced format', () => {
    assert.equal(parseMetricLine('{"loss": 1}', 'hf'), null);
    assert.equal(parseMetricLine("{'loss': 1}", 'jsonl'), null);
  });
});
