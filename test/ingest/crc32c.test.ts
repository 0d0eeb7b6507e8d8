import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32c, maskedCrc32c } from '../../src/ingest/crc32c.js';
import { rng } from '../helpers.js';

/** Bit-at-a-time reference, straight from the definition. */
function slow(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let i = 0; i < 8; i++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('matches the RFC 3720 (iSCSI) check values', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  });
  it('slice-by-8 agrees with the bitwise definition at every length and alignment', () => {
    const u = rng(7);
    const big = Uint8Array.from({ length: 300 }, () => Math.floor(u() * 256));
    for (let start = 0; start < 9; start++) {
      for (let len = 0; len < 70; len++) {
        const part = big.subarray(start, start + len);
        assert.equal(crc32c(part), slow(part), `start ${start} len ${len}`);
      }
    }
  });
  it('masks as TensorFlow does (values from tensorboardX.record_writer.masked_crc32c)', () => {
    assert.equal(maskedCrc32c(Buffer.from('123456789')), 0xc78ab0e5);
    assert.equal(maskedCrc32c(new Uint8Array(0)), 0xa282ead8);
    assert.equal(maskedCrc32c(Uint8Array.from({ length: 200 }, (_, i) => i)), 0x6d6a9cef);
  });
});
