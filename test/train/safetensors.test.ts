import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RleError } from '../../src/errors.js';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from '../../src/train/half-float.js';
import { SafeTensors } from '../../src/train/safetensors.js';
import { writeSafeTensors } from '../../src/train/safetensors-write.js';
import { tmpDir } from '../helpers.js';

/**
 * A safetensors file built by hand, independent of the writer: `header` (JSON text or a
 * value to stringify) padded with spaces to 8 bytes, then `data`. `headerLen` overrides the
 * length prefix to forge broken files.
 */
function stFile(header: unknown, data: number[] = [], headerLen?: bigint): string {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const json = Buffer.from(text, 'utf8');
  const padded = Buffer.alloc(Math.ceil(json.length / 8) * 8, ' ');
  json.copy(padded);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(headerLen ?? BigInt(padded.length));
  const file = path.join(tmpDir(), 'model.safetensors');
  fs.writeFileSync(file, Buffer.concat([prefix, padded, Buffer.from(data)]));
  return file;
}

async function openError(file: string): Promise<RleError> {
  try {
    const st = await SafeTensors.open(file);
    await st.close();
  } catch (e) {
    assert.ok(e instanceof RleError, String(e));
    return e;
  }
  assert.fail('expected an error');
}

async function assertFormatError(file: string, message: RegExp): Promise<void> {
  const e = await openError(file);
  assert.equal(e.code, 'E_INPUT_FORMAT');
  assert.equal(e.where.file, file);
  assert.match(e.message, message);
}

/** Round trip through the writer and the reader. */
async function roundTrip(dtype: 'F32' | 'F16' | 'BF16', values: number[]): Promise<number[]> {
  const file = path.join(tmpDir(), 'rt.safetensors');
  await writeSafeTensors(file, { x: { dtype, shape: [values.length], data: Float32Array.from(values) } });
  const st = await SafeTensors.open(file);
  try {
    return [...st.readFloat32('x')];
  } finally {
    await st.close();
  }
}

const F32_ENTRY = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
const EIGHT_BYTES = [0, 0, 0x80, 0x3f, 0, 0, 0x20, 0xc0]; // float32 1, -2.5

describe('f16ToF32 / bf16ToF32', () => {
  it('decode binary16 exactly: normals, max, subnormals, signed zero, infinities, NaN', () => {
    assert.equal(f16ToF32(0x3c00), 1);
    assert.equal(f16ToF32(0xc100), -2.5);
    assert.equal(f16ToF32(0x7bff), 65504);
    assert.equal(f16ToF32(0x0400), 2 ** -14);
    assert.equal(f16ToF32(0x03ff), 1023 * 2 ** -24);
    assert.equal(f16ToF32(0x0001), 2 ** -24);
    assert.equal(f16ToF32(0x3555), 0.333251953125);
    assert.ok(Object.is(f16ToF32(0x8000), -0));
    assert.equal(f16ToF32(0x7c00), Infinity);
    assert.equal(f16ToF32(0xfc00), -Infinity);
    assert.ok(Number.isNaN(f16ToF32(0x7e00)));
    assert.ok(Number.isNaN(f16ToF32(0x7c01)));
  });
  it('decode bfloat16 exactly as the top half of a float32', () => {
    assert.equal(bf16ToF32(0x3f80), 1);
    assert.equal(bf16ToF32(0xc020), -2.5);
    assert.equal(bf16ToF32(0x3f81), 1 + 2 ** -7);
    assert.equal(bf16ToF32(0x7f7f), 3.3895313892515355e38);
    assert.equal(bf16ToF32(0x0001), 2 ** -133);
    assert.ok(Object.is(bf16ToF32(0x8000), -0));
    assert.equal(bf16ToF32(0x7f80), Infinity);
    assert.equal(bf16ToF32(0xff80), -Infinity);
    assert.ok(Number.isNaN(bf16ToF32(0x7fc0)));
  });
  it('encode with round to nearest, ties to even', () => {
    assert.equal(f32ToF16(1 + 2 ** -11), 0x3c00); // tie → even (down)
    assert.equal(f32ToF16(1 + 3 * 2 ** -11), 0x3c02); // tie → even (up)
    assert.equal(f32ToF16(65519), 0x7bff);
    assert.equal(f32ToF16(65520), 0x7c00); // tie between 65504 and 2^16 → Infinity
    assert.equal(f32ToF16(2 ** -25), 0x0000); // tie between 0 and the smallest subnormal
    assert.equal(f32ToF16(1.5 * 2 ** -25), 0x0001); // above the tie: up to the smallest subnormal
    assert.equal(f32ToF16(3 * 2 ** -25), 0x0002);
    assert.equal(f32ToF16(2 ** -14 - 2 ** -25), 0x0400); // carries into the smallest normal
    assert.equal(f32ToF16(-1e-10), 0x8000);
    assert.equal(f32ToF16(NaN) & 0x7fff, 0x7e00);
    assert.equal(f32ToBf16(1 + 2 ** -8), 0x3f80);
    assert.equal(f32ToBf16(1 + 3 * 2 ** -8), 0x3f82);
    assert.equal(f32ToBf16(1 + 2 ** -8 + 2 ** -20), 0x3f81);
    assert.equal(f32ToBf16(3.4028234663852886e38), 0x7f80);
    assert.equal(f32ToBf16(NaN) & 0x7fff, 0x7fc0); // a quiet NaN (its sign is the engine's choice)
  });
  it('every binary16 value survives f16ToF32 then f32ToF16', () => {
    for (let b = 0; b < 0x10000; b++) {
      const x = f16ToF32(b);
      const isNan = (b & 0x7c00) === 0x7c00 && (b & 0x3ff) !== 0;
      // NaN payloads and signs do not survive a JS number; any NaN comes back quiet.
      if (isNan) assert.equal(f32ToF16(x) & 0x7fff, 0x7e00, `bits 0x${b.toString(16)}`);
      else assert.equal(f32ToF16(x), b, `bits 0x${b.toString(16)}`);
    }
  });
});

describe('SafeTensors', () => {
  it('reads a file in the reference layout: metadata, transformer. keys, F32 and F16', async () => {
    const header =
      '{"__metadata__":{"format":"pt"},' +
      '"transformer.h.0.ln_1.weight":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
      '"transformer.wte.weight":{"dtype":"F16","shape":[2,2],"data_offsets":[8,16]}}';
    const f16 = [0x00, 0x3c, 0x00, 0xc1, 0xff, 0x7b, 0x01, 0x00]; // 1, -2.5, 65504, 2^-24
    const file = stFile(header, [...EIGHT_BYTES, ...f16]);
    const st = await SafeTensors.open(file);
    assert.deepEqual(st.metadata, { format: 'pt' });
    assert.deepEqual(st.names(), ['transformer.h.0.ln_1.weight', 'transformer.wte.weight']);
    assert.deepEqual(st.info('transformer.wte.weight'), { name: 'transformer.wte.weight', dtype: 'F16', shape: [2, 2], begin: 8, end: 16 });
    assert.equal(st.info('wte.weight'), undefined);
    assert.deepEqual([...st.readFloat32('transformer.h.0.ln_1.weight')], [1, -2.5]);
    assert.deepEqual([...st.readFloat32('transformer.wte.weight')], [1, -2.5, 65504, 2 ** -24]);
    await st.close();
  });
  it('reads BF16, F64, empty tensors, a header without metadata; lists names in file order', async () => {
    const header = {
      b: { dtype: 'F64', shape: [1], data_offsets: [2, 10] },
      a: { dtype: 'BF16', shape: [1], data_offsets: [0, 2] },
      e: { dtype: 'F32', shape: [0, 3], data_offsets: [10, 10] },
    };
    const f64 = Buffer.alloc(8);
    f64.writeDoubleLE(0.1);
    const st = await SafeTensors.open(stFile(header, [0x20, 0xc0, ...f64]));
    assert.deepEqual(st.metadata, {});
    assert.deepEqual(st.names(), ['a', 'b', 'e']);
    assert.deepEqual([...st.readFloat32('a')], [-2.5]);
    assert.deepEqual([...st.readFloat32('b')], [Math.fround(0.1)]);
    assert.equal(st.readFloat32('e').length, 0);
    await st.close();
  });
  it('lists unsupported dtypes but refuses to read them as float32', async () => {
    const file = stFile({ step: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, [7, 0, 0, 0, 0, 0, 0, 0]);
    const st = await SafeTensors.open(file);
    assert.deepEqual(st.names(), ['step']);
    assert.throws(() => st.readFloat32('step'), (e: unknown) => {
      assert.ok(e instanceof RleError);
      assert.equal(e.code, 'E_INPUT_FORMAT');
      assert.match(e.message, /tensor "step" has dtype I64, which cannot be read as float32/);
      return true;
    });
    assert.throws(() => st.readFloat32('nope'), /no tensor named "nope"/);
    await st.close();
    await st.close();
  });
  it('reports a file that shrank after opening, and refuses reads after close', async () => {
    const file = stFile({ x: F32_ENTRY }, EIGHT_BYTES);
    const st = await SafeTensors.open(file);
    fs.truncateSync(file, fs.statSync(file).size - 4);
    assert.throws(() => st.readFloat32('x'), /tensor "x": file truncated/);
    await st.close();
    assert.throws(() => st.readFloat32('x'), /is closed/);
  });
  it('a missing file or a folder → E_INPUT_MISSING', async () => {
    const dir = tmpDir();
    for (const [file, why] of [[path.join(dir, 'none.safetensors'), /no such file/], [dir, /directory/]] as const) {
      const e = await openError(file);
      assert.equal(e.code, 'E_INPUT_MISSING');
      assert.equal(e.where.file, file);
      assert.match(e.message, why);
    }
  });
});

describe('SafeTensors malformed files → E_INPUT_FORMAT', () => {
  it('truncated length prefix', async () => {
    const file = path.join(tmpDir(), 'short.safetensors');
    fs.writeFileSync(file, Buffer.from([8, 0, 0, 0]));
    await assertFormatError(file, /truncated: the file is 4 bytes, too short for the 8-byte header length/);
  });
  it('header length past the end of the file, or absurdly large', async () => {
    await assertFormatError(stFile({ x: F32_ENTRY }, EIGHT_BYTES, 1000n), /header length 1000 runs past the end of the \d+-byte file/);
    await assertFormatError(stFile({}, [], 0xffffffffffffffffn), /header length 18446744073709551615 is over the 100000000-byte limit/);
  });
  it('header that is not UTF-8 JSON, or not an object', async () => {
    await assertFormatError(stFile('{"x": '), /header is not valid UTF-8 JSON/);
    await assertFormatError(stFile(''), /header is not valid UTF-8 JSON/);
    const file = stFile('{}');
    const bytes = fs.readFileSync(file);
    bytes[9] = 0xff; // the closing brace becomes an invalid UTF-8 byte
    fs.writeFileSync(file, bytes);
    await assertFormatError(file, /header is not valid UTF-8 JSON/);
    await assertFormatError(stFile('[]'), /header is not a JSON object/);
    await assertFormatError(stFile('null'), /header is not a JSON object/);
  });
  it('entries with a bad dtype, shape or offsets', async () => {
    const cases: [unknown, RegExp][] = [
      [7, /tensor "x": header entry is not an object/],
      [{ shape: [2], data_offsets: [0, 8] }, /tensor "x": dtype is missing/],
      [{ ...F32_ENTRY, dtype: 'Q7' }, /tensor "x": unknown dtype "Q7"/],
      [{ ...F32_ENTRY, dtype: 'float32' }, /tensor "x": unknown dtype "float32"/],
      [{ ...F32_ENTRY, shape: [-2] }, /tensor "x": shape must be an array of non-negative integers, got \[-2\]/],
      [{ ...F32_ENTRY, shape: [1.5] }, /tensor "x": shape must be/],
      [{ ...F32_ENTRY, shape: 2 }, /tensor "x": shape must be/],
      [{ ...F32_ENTRY, data_offsets: [0] }, /tensor "x": data_offsets must be \[begin, end\]/],
      [{ ...F32_ENTRY, data_offsets: [8, 0] }, /tensor "x": data_offsets \[8, 0\] end before they begin/],
      [{ ...F32_ENTRY, data_offsets: [0, 12] }, /tensor "x": data_offsets \[0, 12\] run past the end of the 8-byte data buffer/],
      [{ ...F32_ENTRY, shape: [3] }, /tensor "x": data_offsets \[0, 8\] hold 8 bytes, but shape \[3\] of F32 needs 12/],
      [{ ...F32_ENTRY, dtype: 'F16' }, /tensor "x": data_offsets \[0, 8\] hold 8 bytes, but shape \[2\] of F16 needs 4/],
      [{ ...F32_ENTRY, shape: [2 ** 40, 2 ** 40] }, /tensor "x": shape \[1099511627776,1099511627776\] is too large/],
    ];
    for (const [entry, message] of cases) await assertFormatError(stFile({ x: entry }, EIGHT_BYTES), message);
  });
  it('overlapping tensors, gaps and trailing bytes', async () => {
    const half = (b: number) => ({ dtype: 'F32', shape: [1], data_offsets: [b, b + 4] });
    await assertFormatError(stFile({ x: F32_ENTRY, y: half(4) }, EIGHT_BYTES), /tensor "y" overlaps tensor "x"/);
    await assertFormatError(stFile({ y: half(4) }, EIGHT_BYTES), /4 bytes before tensor "y" belong to no tensor/);
    await assertFormatError(stFile({ x: half(0) }, EIGHT_BYTES), /the last 4 bytes of the data buffer belong to no tensor/);
  });
  it('metadata that is not a string map', async () => {
    await assertFormatError(stFile({ __metadata__: { n: 1 }, x: F32_ENTRY }, EIGHT_BYTES), /__metadata__ value for "n" is not a string/);
    await assertFormatError(stFile({ __metadata__: [], x: F32_ENTRY }, EIGHT_BYTES), /__metadata__ is not an object/);
  });
});

describe('writeSafeTensors', () => {
  it('lays the file out as the reference does: compact header, metadata first, space padding to 8', async () => {
    const file = path.join(tmpDir(), 'w.safetensors');
    await writeSafeTensors(
      file,
      { 'transformer.h.0.ln_1.weight': { dtype: 'F32', shape: [2], data: Float32Array.from([1, -2.5]) }, 'transformer.wte.weight': { dtype: 'F16', shape: [2, 2], data: Float32Array.from([1, -2.5, 65504, 2 ** -24]) } },
      { format: 'pt' },
    );
    const header =
      '{"__metadata__":{"format":"pt"},' +
      '"transformer.h.0.ln_1.weight":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
      '"transformer.wte.weight":{"dtype":"F16","shape":[2,2],"data_offsets":[8,16]}}';
    assert.deepEqual(fs.readFileSync(file), fs.readFileSync(stFile(header, [...EIGHT_BYTES, 0x00, 0x3c, 0x00, 0xc1, 0xff, 0x7b, 0x01, 0x00])));
    const bytes = fs.readFileSync(file);
    const n = Number(bytes.readBigUInt64LE(0));
    assert.equal(n % 8, 0);
    assert.equal(bytes.subarray(8, 8 + n).toString('utf8'), header.padEnd(n, ' '));
    assert.equal(bytes.length, 8 + n + 16);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['w.safetensors']);
  });
  it('round-trips F32 exactly', async () => {
    const values = [1, -2.5, 65504, Math.fround(1e-40), Math.fround(0.1), -Infinity, Infinity, 3.4028234663852886e38];
    assert.deepEqual(await roundTrip('F32', values), values);
    const nan = await roundTrip('F32', [NaN]);
    assert.ok(Number.isNaN(nan[0]));
  });
  it('round-trips F16 with rounding, overflow, subnormals, infinities and NaN', async () => {
    const got = await roundTrip('F16', [1, -2.5, 65504, 6.1e-5, 2 ** -24, 2 ** -25, 65519, 65520, 1 + 2 ** -11, 0.1, Infinity, -Infinity, -0, NaN]);
    const want = [1, -2.5, 65504, 1023 * 2 ** -24, 2 ** -24, 0, 65504, Infinity, 1, 0.0999755859375, Infinity, -Infinity, -0, NaN];
    assert.deepEqual(got, want);
    assert.ok(Object.is(got[12], -0));
  });
  it('round-trips BF16 with ties to even', async () => {
    const got = await roundTrip('BF16', [1, -2.5, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20, 0.1, 3.4028234663852886e38, 1e-40, NaN]);
    // 1e-40 is the float32 subnormal 0x000116c2, which rounds down to bfloat16 0x0001 = 2^-133.
    const want = [1, -2.5, 1, 1 + 2 ** -6, 1 + 2 ** -7, 0.10009765625, Infinity, 2 ** -133, NaN];
    assert.deepEqual(got, want);
  });
  it('rejects a shape that does not match the data, and reports an unwritable folder', async () => {
    const file = path.join(tmpDir(), 'bad.safetensors');
    await assert.rejects(writeSafeTensors(file, { x: { dtype: 'F32', shape: [3], data: new Float32Array(2) } }), /shape \[3\] has 3 elements, data has 2/);
    const nowhere = path.join(tmpDir(), 'missing', 'x.safetensors');
    await assert.rejects(writeSafeTensors(nowhere, {}), (e: unknown) => e instanceof RleError && e.code === 'E_OUTPUT' && e.where.file === nowhere);
  });
});
