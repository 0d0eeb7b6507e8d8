import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMetricLine } from '../../src/capture/metric-lines.js';

describe('parseMetricLine', () => {
  it('reads a Hugging Face Trainer log dict', () => {
    assert.deepEqual(parseMetricLine("{'loss': 4.5152, 'grad_norm': 12.8, 'learning_rate': 0.0, 'epoch': 0.4}"), {
      step: null, loss: 4.5152, grad_norm: 12.8, learning_rate: 0, epoch: 0.4, tokens: null,
    });
    // inside a progress-bar line, with nan and scientific notation
    const m = parseMetricLine("  5%|▌  | 1/20 [00:01<00:20] {'loss': nan, 'grad_norm': inf, 'learning_rate': 5e-05, 'epoch': 0.05}");
    assert.ok(m && Number.isNaN(m.loss) && m.grad_norm === Infinity && m.learning_rate === 5e-5);
  });
  it('reads JSON lines with step, lr and tokens', () => {
    assert.deepEqual(parseMetricLine('{"step": 7, "loss": 2.25, "grad_norm": 0.5, "lr": 0.001, "tokens": 512}'), {
      step: 7, loss: 2.25, grad_norm: 0.5, learning_rate: 0.001, epoch: null, tokens: 512,
    });
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
