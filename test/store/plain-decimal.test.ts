import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainDecimal } from '../../src/store/plain-decimal.js';
import { rng } from '../helpers.js';

/** plainDecimal on s, inside other text (as the reader calls it, on a line). */
const read = (s: string): number | null => plainDecimal(`x,${s},y`, 2, 2 + s.length);

describe('plainDecimal', () => {
  it('reads plain decimals exactly as Number() does, -0 included', () => {
    for (const s of ['0', '-0', '48', '48.8', '45.26', '113.335', '-5.5', '.5', '5.', '-.25', '007.50', '0.000001', '999999999999999', '99999999999.9999', '0.1', '0.2', '0.3'])
      assert.ok(Object.is(read(s), Number(s)), s);
  });
  it('leaves to Number() what is not a plain decimal of at most 15 digits', () => {
    for (const s of ['', '-', '.', '-.', '+5', ' 5', '5 ', '1e3', '1.2.3', 'nan', 'NaN', '0x10', '1,5', '1234567890123456', '12.34567890123456', '٣'])
      assert.equal(read(s), null, JSON.stringify(s));
  });
  it('equals Number() on 200,000 random decimals of 1–15 digits', () => {
    const u = rng(5);
    for (let k = 0; k < 200_000; k++) {
      const digits = 1 + Math.floor(u() * 15);
      let s = '';
      for (let i = 0; i < digits; i++) s += String(Math.floor(u() * 10));
      const point = Math.floor(u() * (digits + 1));
      s = `${u() < 0.3 ? '-' : ''}${s.slice(0, point)}.${s.slice(point)}`;
      if (u() < 0.2) s = s.replace('.', '');
      const v = read(s);
      if (!Object.is(v, Number(s))) assert.fail(`${s}: ${v} vs Number() ${Number(s)}`);
    }
  });
});
