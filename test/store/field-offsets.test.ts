import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FieldOffsets } from '../../src/store/field-offsets.js';

describe('FieldOffsets', () => {
  it('splits a line inside its text as split() does, empty fields included', () => {
    const text = 'head\nts,cpu,,50,\nnext,line';
    const f = new FieldOffsets();
    assert.equal(f.split(text, 5, 16, ','), 5);
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => f.field(text, i)), 'ts,cpu,,50,'.split(','));
    assert.equal(text.slice(f.from(3), f.to(3)), '50');
    assert.equal(f.field(text, 5), '', 'beyond the last field: empty');
    assert.equal(f.has(5), false);
    assert.equal(f.has(-1), false);
  });
  it('grows for lines of many fields and splits at any one-character separator', () => {
    const fields = Array.from({ length: 500 }, (_, i) => `f${i}`);
    const f = new FieldOffsets();
    const line = fields.join('\u0000');
    assert.equal(f.split(line, 0, line.length, '\u0000'), 500);
    assert.deepEqual(fields.map((_, i) => f.field(line, i)), fields);
    assert.equal(f.split('a', 0, 1, ','), 1);
    assert.equal(f.field('a', 0), 'a');
  });
});
