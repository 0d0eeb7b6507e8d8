import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteBuffer, writeAsciiField } from '../../src/store/byte-buffer.js';
import { csvField } from '../../src/store/csv-writer.js';

describe('ByteBuffer', () => {
  it('writes fields as csvField does: quoted only for a quote, comma or line break, UTF-8 as is', () => {
    for (const s of ['', 'gpu0', '2025-01-01T00:00:00.123456Z', 'a,b', 'say "hi"', 'two\nlines', 'cr\r', 'ü日本', 'emoji 😀', 'ü,"x"', ' padded ']) {
      const b = new ByteBuffer();
      b.field(s);
      assert.equal(b.takeString(), csvField(s), JSON.stringify(s));
    }
  });
  it('writes text, bytes and numbers', () => {
    const b = new ByteBuffer();
    b.text('é€😀');
    b.byte(44);
    b.number(-0);
    b.byte(44);
    b.number(0.1 + 0.2);
    assert.equal(b.takeString(), 'é€😀,0,0.30000000000000004');
  });
  it('hands out chunks that later writes never change, across new slabs', () => {
    const b = new ByteBuffer(64);
    const chunks: Buffer[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 200; i++) {
      const line = `${i},${'x'.repeat(i % 50)}\n`;
      b.text(line);
      expected.push(line);
      if (i % 7 === 6) chunks.push(b.take());
    }
    chunks.push(b.take());
    assert.equal(Buffer.concat(chunks).toString('utf8'), expected.join(''));
    assert.equal(b.size, 0);
  });
  it('keeps the bytes not yet taken when it moves to a new slab, however large the write', () => {
    const b = new ByteBuffer(16);
    b.text('head,');
    b.text('y'.repeat(1000));
    b.room(5000);
    assert.equal(b.size, 1005);
    assert.equal(b.take().toString('utf8'), 'head,' + 'y'.repeat(1000));
  });
  it('reuses a slab once every chunk of it is released, and only then', () => {
    const b = new ByteBuffer(256);
    const chunk = (c: string): Buffer => {
      b.field(c.repeat(100)); // 100 bytes: two chunks a slab
      return b.take();
    };
    const [c1, c2, c3] = [chunk('a'), chunk('b'), chunk('c')];
    assert.equal(c1.buffer, c2.buffer);
    assert.notEqual(c3.buffer, c1.buffer, 'a full slab is left');
    b.release(c1);
    b.release(c2);
    const c4 = chunk('d');
    const c5 = chunk('e');
    assert.equal(c4.buffer, c3.buffer);
    assert.equal(c5.buffer, c1.buffer, 'the released slab is used again');
    chunk('f');
    const c7 = chunk('g');
    assert.notEqual(c7.buffer, c3.buffer, 'a slab with chunks out is never reused');
    assert.equal(c3.toString('latin1') + c4.toString('latin1'), 'c'.repeat(100) + 'd'.repeat(100));
  });
  it('room() gives an array with space at end, written directly', () => {
    const b = new ByteBuffer(8);
    const bytes = b.room(3);
    bytes[b.end++] = 0x61;
    bytes[b.end++] = 0x62;
    assert.equal(b.take().toString('latin1'), 'ab');
  });
});

describe('writeAsciiField', () => {
  it('writes plain ASCII and refuses what needs quoting or is not ASCII', () => {
    const out = Buffer.alloc(16);
    assert.equal(writeAsciiField(out, 2, 'cpu'), 5);
    assert.equal(out.toString('latin1', 2, 5), 'cpu');
    for (const s of ['a,b', 'q"', 'n\n', 'r\r', 'é']) assert.equal(writeAsciiField(out, 0, s), -1, s);
  });
});
