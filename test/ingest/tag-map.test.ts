import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RleError } from '../../src/errors.js';
import { isCumulative, parseTagMap, TagResolver } from '../../src/ingest/tag-map.js';

describe('parseTagMap', () => {
  it('parses field=tag pairs; tags may hold / - . and a trailing *', () => {
    assert.deepEqual(parseTagMap('loss=my/loss, grad_norm=gn ,learning_rate=lr-Adam*,'), { loss: 'my/loss', grad_norm: 'gn', learning_rate: 'lr-Adam*' });
  });
  it('refuses malformed maps with E_OPTION and a clear message', () => {
    for (const [raw, re] of [
      ['', /tag map is empty/],
      [' , ', /tag map is empty/],
      ['loss', /"loss" has no "="/],
      ['los=x', /unknown field "los"; fields are loss, grad_norm, learning_rate, epoch, tokens/],
      ['loss=', /field "loss" needs one tag/],
      ['loss=a=b', /field "loss" needs one tag/],
      ['loss=a*b', /"\*" is allowed only at the end/],
      ['loss=a,loss=b', /field "loss" given twice/],
    ] as const) {
      assert.throws(() => parseTagMap(raw), (e: unknown) => e instanceof RleError && e.code === 'E_OPTION' && re.test(e.message), raw);
    }
  });
});

describe('TagResolver', () => {
  it('picks the first default candidate present, for every step', () => {
    const r = new TagResolver();
    const w: string[] = [];
    assert.deepEqual(r.choose(['loss', 'train/loss', 'train_loss', 'lr-AdamW/pg2', 'lr-AdamW', 'epoch'], {}, w), { loss: 'train/loss', learning_rate: 'lr-AdamW', epoch: 'epoch' });
    assert.deepEqual(r.choose(['train_loss', 'loss'], {}, w), { loss: 'loss' }); // HF → MLflow: train_loss is the end-of-run mean
    assert.deepEqual(w, []);
  });
  it('wants only the tags some field may use', () => {
    const r = new TagResolver({ loss: 'my/loss' });
    assert.ok(r.wants('my/loss') && r.wants('lr-SGD') && r.wants('train/grad_norm'));
    assert.ok(!r.wants('train/loss') && !r.wants('eval/loss') && !r.wants('args/text_summary'));
  });
  it('knows running totals', () => {
    assert.ok(isCumulative('train/num_input_tokens_seen') && isCumulative('num_input_tokens_seen'));
    assert.ok(!isCumulative('tokens') && !isCumulative('train/tokens'));
  });
});
