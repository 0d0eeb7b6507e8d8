import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { EOT, VOCAB_SIZE, decode, encode, encodeWithEot } from '../../src/train/tokenizer.js';

describe('GPT-2 tokenizer', () => {
  // First, before anything has loaded the ranks: the lazy load must not need the network.
  it('loads and encodes offline, from files inside the package', () => {
    const realFetch = globalThis.fetch;
    globalThis.fetch = () => Promise.reject(new Error('network used'));
    try {
      assert.deepEqual(encode('offline'), [2364, 1370]);
    } finally {
      globalThis.fetch = realFetch;
    }
    const file = createRequire(import.meta.url).resolve('gpt-tokenizer/encoding/r50k_base');
    assert.match(file, /node_modules[/\\]gpt-tokenizer[/\\]/);
    assert.ok(fs.existsSync(file));
  });
  it('encodes Hello world as GPT-2 does', () => {
    assert.deepEqual(encode('Hello world'), [15496, 995]);
    assert.deepEqual(encode(' Hello'), [18435]);
    assert.deepEqual(encode(''), []);
  });
  it('appends EOT = 50256, the last id of a 50257-token vocabulary', () => {
    assert.equal(EOT, 50256);
    assert.equal(VOCAB_SIZE, 50257);
    assert.deepEqual(encodeWithEot('Hello world'), [15496, 995, 50256]);
    assert.equal(decode([EOT]), '<|endoftext|>');
  });
  it('treats a literal <|endoftext|> in text as characters, not EOT', () => {
    assert.deepEqual(encode('<|endoftext|>'), [27, 91, 437, 1659, 5239, 91, 29]);
  });
  it('round-trips unicode through byte-level BPE', () => {
    const s = 'héllo 日本語 🎉';
    const ids = encode(s);
    assert.deepEqual(ids, [71, 2634, 18798, 10545, 245, 98, 17312, 105, 45739, 252, 12520, 236, 231]);
    assert.equal(decode(ids), s);
    assert.equal(decode(encodeWithEot('naïve café')), 'naïve café<|endoftext|>');
  });
});
