/**
 * Reader and writer for the safetensors format (https://github.com/huggingface/safetensors):
 * an 8-byte little-endian u64 header length N, then N bytes of UTF-8 JSON naming each tensor's
 * dtype, shape and byte range, then the data buffer those ranges point into (offsets count
 * from byte 8 + N of the file). Opening reads only the header; each tensor is read on demand
 * with one positioned read, so a 500 MB checkpoint is never held in memory twice.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RleError } from '../errors.js';

export interface TensorInfo {
  name: string;
  dtype: string;
  shape: number[];
  /** Byte range [begin, end) relative to the start of the data buffer. */
  begin: number;
  end: number;
}

/** Bytes per element of each dtype the format defines (sub-byte F4/F6 types are not supported). */
const DTYPE_BYTES: ReadonlyMap<string, number> = new Map([
  ['BOOL', 1], ['U8', 1], ['I8', 1], ['F8_E5M2', 1], ['F8_E4M3', 1], ['F8_E8M0', 1],
  ['I16', 2], ['U16', 2], ['F16', 2], ['BF16', 2],
  ['I32', 4], ['U32', 4], ['F32', 4],
  ['I64', 8], ['U64', 8], ['F64', 8],
]);
const READABLE = ['F32', 'F16', 'BF16', 'F64'];

/** Size of the header-length prefix (bytes). */
const PREFIX_BYTES = 8;
/** The reference implementation refuses headers over 100 MB; so do we, before allocating one. */
const MAX_HEADER_BYTES = 100_000_000;
/** One read() moves at most 2 GiB in Node; stay well below (bytes). */
const MAX_READ_BYTES = 1 << 30;

function assertLittleEndian(): void {
  // Tensor bytes are little-endian and are viewed in place as typed arrays.
  if (os.endianness() !== 'LE') throw new Error('safetensors: big-endian hosts are not supported');
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, not a file';
  return (err as Error).message;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

// Bit-level views shared by the conversions below (one element each).
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary16 bits → value, exact (subnormals, ±0, ±Infinity, NaN). */
export function f16ToF32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (0x400 + mant) * 2 ** (exp - 25);
}

/** bfloat16 bits → value, exact: bfloat16 is the top half of a float32. */
export function bf16ToF32(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0]!;
}

/** float32 bits → binary16 bits, round to nearest, ties to even; NaN stays a (quiet) NaN. */
function f16FromF32Bits(b: number): number {
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant === 0 ? 0 : 0x200);
  const e = exp - 112; // re-biased exponent: 127 → 15
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: the value in units of 2^-24 is m · 2^(e - 14), m the 24-bit significand.
    const shift = 14 - e;
    if (shift > 24) return sign; // below half of 2^-24: rounds to zero
    const m = mant | 0x800000;
    let h = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h; // a carry into 0x400 is the smallest normal, encoded correctly
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++; // a carry into 0x7c00 is Infinity
  return sign | h;
}

/** float32 bits → bfloat16 bits, round to nearest, ties to even; NaN stays a (quiet) NaN. */
function bf16FromF32Bits(b: number): number {
  if ((b & 0x7fffffff) > 0x7f800000) return ((b >>> 16) & 0x8000) | 0x7fc0;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Number → float32 → binary16 bits (the writer's conversion, for one value). */
export function f32ToF16(x: number): number {
  f32[0] = x;
  return f16FromF32Bits(u32[0]!);
}

/** Number → float32 → bfloat16 bits (the writer's conversion, for one value). */
export function f32ToBf16(x: number): number {
  f32[0] = x;
  return bf16FromF32Bits(u32[0]!);
}

let f16Table: Float32Array | null = null;
/** All 65536 binary16 values, built on first use (256 KiB): faster than converting per element. */
function f16Lut(): Float32Array {
  if (f16Table === null) {
    f16Table = new Float32Array(0x10000);
    for (let i = 0; i < 0x10000; i++) f16Table[i] = f16ToF32(i);
  }
  return f16Table;
}

/** Reads exactly `length` bytes at `position`, or fewer where the file ends. */
async function readAt(fh: FileHandle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** One parsed header entry, before the layout checks that need all entries. */
function parseEntry(name: string, raw: unknown, dataSize: number, bad: (m: string) => RleError): TensorInfo {
  const at = `tensor "${name}"`;
  if (!isObject(raw)) throw bad(`${at}: header entry is not an object`);
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== 'string') throw bad(`${at}: dtype is missing or not a string`);
  const size = DTYPE_BYTES.get(dtype);
  if (size === undefined) throw bad(`${at}: unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw bad(`${at}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw bad(`${at}: data_offsets must be [begin, end] byte offsets, got ${JSON.stringify(offsets)}`);
  }
  const dims: number[] = shape;
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw bad(`${at}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataSize) {
    throw bad(`${at}: data_offsets [${begin}, ${end}] run past the end of the ${dataSize}-byte data buffer`);
  }
  let count = dims.includes(0) ? 0 : 1;
  for (const d of dims) {
    count *= d;
    if (count * size > Number.MAX_SAFE_INTEGER) throw bad(`${at}: shape ${JSON.stringify(dims)} is too large`);
  }
  if (end - begin !== count * size) {
    throw bad(`${at}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but shape ${JSON.stringify(dims)} of ${dtype} needs ${count * size}`);
  }
  return { name, dtype, shape: dims, begin, end };
}

/** Like the reference: tensors tile the data buffer exactly, no overlaps, gaps or trailing bytes. */
function checkLayout(tensors: TensorInfo[], dataSize: number, bad: (m: string) => RleError): void {
  let at = 0;
  let prev: TensorInfo | undefined;
  for (const t of tensors) {
    if (t.begin < at) throw bad(`tensor "${t.name}" overlaps tensor "${prev?.name ?? ''}" (bytes ${t.begin}..${at})`);
    if (t.begin > at) throw bad(`${t.begin - at} bytes before tensor "${t.name}" belong to no tensor`);
    at = t.end;
    prev = t;
  }
  if (at !== dataSize) throw bad(`the last ${dataSize - at} bytes of the data buffer belong to no tensor`);
}

function parseMetadata(raw: unknown, bad: (m: string) => RleError): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) throw bad('__metadata__ is not an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') throw bad(`__metadata__ value for "${k}" is not a string`);
    out[k] = v;
  }
  return out;
}

export class SafeTensors {
  /** The header's `__metadata__` (string → string), `{}` when absent. */
  readonly metadata: Record<string, string>;
  private readonly tensors: Map<string, TensorInfo>;
  private fh: FileHandle | null;

  private constructor(
    readonly file: string,
    fh: FileHandle,
    /** File position of the data buffer: 8 + header length (bytes). */
    private readonly dataStart: number,
    tensors: TensorInfo[],
    metadata: Record<string, string>,
  ) {
    this.fh = fh;
    this.tensors = new Map(tensors.map((t) => [t.name, t]));
    this.metadata = metadata;
  }

  /** Opens `file` and validates its header; tensor bytes are read later, on demand. */
  static async open(file: string): Promise<SafeTensors> {
    assertLittleEndian();
    let fh: FileHandle;
    try {
      fh = await fsp.open(file, 'r');
    } catch (err) {
      throw new RleError('E_INPUT_MISSING', `cannot read: ${reason(err)}`, { file });
    }
    try {
      const st = await fh.stat();
      if (st.isDirectory()) throw new RleError('E_INPUT_MISSING', 'cannot read: is a directory, not a file', { file });
      return await SafeTensors.parse(file, fh, st.size);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  private static async parse(file: string, fh: FileHandle, fileSize: number): Promise<SafeTensors> {
    const bad = (m: string): RleError => new RleError('E_INPUT_FORMAT', `safetensors: ${m}`, { file });
    const prefix = await readAt(fh, PREFIX_BYTES, 0);
    if (prefix.length < PREFIX_BYTES) {
      throw bad(`truncated: the file is ${fileSize} bytes, too short for the 8-byte header length`);
    }
    const n = prefix.readBigUInt64LE(0);
    if (n > BigInt(MAX_HEADER_BYTES)) throw bad(`header length ${n} is over the ${MAX_HEADER_BYTES}-byte limit`);
    const headerLen = Number(n);
    if (PREFIX_BYTES + headerLen > fileSize) {
      throw bad(`header length ${headerLen} runs past the end of the ${fileSize}-byte file`);
    }
    const bytes = await readAt(fh, headerLen, PREFIX_BYTES);
    if (bytes.length < headerLen) throw bad('truncated while reading the header');
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (err) {
      throw bad(`header is not valid UTF-8 JSON: ${(err as Error).message}`);
    }
    if (!isObject(header)) throw bad('header is not a JSON object');
    const dataSize = fileSize - PREFIX_BYTES - headerLen;
    const tensors: TensorInfo[] = [];
    for (const [name, raw] of Object.entries(header)) {
      if (name !== '__metadata__') tensors.push(parseEntry(name, raw, dataSize, bad));
    }
    tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
    checkLayout(tensors, dataSize, bad);
    const metadata = parseMetadata(header.__metadata__, bad);
    return new SafeTensors(file, fh, PREFIX_BYTES + headerLen, tensors, metadata);
  }

  /** Tensor names in file order (by offset). */
  names(): string[] {
    return [...this.tensors.keys()];
  }

  info(name: string): TensorInfo | undefined {
    const t = this.tensors.get(name);
    return t === undefined ? undefined : { ...t, shape: [...t.shape] };
  }

  /** A float32 copy of one tensor; F16, BF16 are exact, F64 rounds to nearest float32. */
  readFloat32(name: string): Float32Array {
    const bad = (m: string): RleError => new RleError('E_INPUT_FORMAT', `safetensors: ${m}`, { file: this.file });
    const t = this.tensors.get(name);
    if (t === undefined) throw bad(`no tensor named "${name}"`);
    const bytes = t.end - t.begin;
    switch (t.dtype) {
      case 'F32': {
        const out = new Float32Array(bytes / 4);
        this.readInto(new Uint8Array(out.buffer), t);
        return out;
      }
      case 'F16': {
        const bits = new Uint16Array(bytes / 2);
        this.readInto(new Uint8Array(bits.buffer), t);
        const lut = f16Lut();
        const out = new Float32Array(bits.length);
        for (let i = 0; i < bits.length; i++) out[i] = lut[bits[i]!]!;
        return out;
      }
      case 'BF16': {
        const bits = new Uint16Array(bytes / 2);
        this.readInto(new Uint8Array(bits.buffer), t);
        const out = new Uint32Array(bits.length);
        for (let i = 0; i < bits.length; i++) out[i] = bits[i]! << 16;
        return new Float32Array(out.buffer);
      }
      case 'F64': {
        const wide = new Float64Array(bytes / 8);
        this.readInto(new Uint8Array(wide.buffer), t);
        return Float32Array.from(wide);
      }
      default:
        throw bad(`tensor "${name}" has dtype ${t.dtype}, which cannot be read as float32 (readable: ${READABLE.join(', ')})`);
    }
  }

  /** Synchronous positioned reads, so readFloat32 can return the tensor directly. */
  private readInto(dst: Uint8Array, t: TensorInfo): void {
    if (this.fh === null) throw new Error(`safetensors: ${this.file} is closed`);
    const fd = this.fh.fd;
    let got = 0;
    while (got < dst.length) {
      const want = Math.min(dst.length - got, MAX_READ_BYTES);
      const n = fs.readSync(fd, dst, got, want, this.dataStart + t.begin + got);
      if (n === 0) {
        throw new RleError('E_INPUT_FORMAT', `safetensors: tensor "${t.name}": file truncated (it shrank after opening?)`, { file: this.file });
      }
      got += n;
    }
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    if (fh !== null) await fh.close();
  }
}

export type WritableDtype = 'F32' | 'F16' | 'BF16';

export interface TensorToWrite {
  dtype: WritableDtype;
  shape: number[];
  data: Float32Array;
}

/** Tensor bytes in the file's dtype (little-endian, as the host is). */
function encode(t: TensorToWrite): Uint8Array {
  const { data } = t;
  if (t.dtype === 'F32') return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const out = new Uint16Array(data.length);
  const conv = t.dtype === 'F16' ? f16FromF32Bits : bf16FromF32Bits;
  for (let i = 0; i < bits.length; i++) out[i] = conv(bits[i]!);
  return new Uint8Array(out.buffer);
}

async function writeAll(fh: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Writes `tensors` (in the record's order) as a safetensors file, laid out as the reference
 * implementation does: compact JSON header with `__metadata__` first, padded with spaces to a
 * multiple of 8 bytes, then the tensors back to back. The file appears only when complete
 * (written beside it, then renamed). F16/BF16 round to nearest, ties to even.
 */
export async function writeSafeTensors(file: string, tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): Promise<void> {
  assertLittleEndian();
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === '' || name === '__metadata__') throw new RangeError(`writeSafeTensors: invalid tensor name "${name}"`);
    if (!t.shape.every(isCount)) throw new RangeError(`writeSafeTensors: tensor "${name}": bad shape ${JSON.stringify(t.shape)}`);
    const count = t.shape.reduce((a, d) => a * d, 1);
    if (count !== t.data.length) {
      throw new RangeError(`writeSafeTensors: tensor "${name}": shape ${JSON.stringify(t.shape)} has ${count} elements, data has ${t.data.length}`);
    }
    const size = t.dtype === 'F32' ? 4 : 2;
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + count * size] };
    offset += count * size;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Buffer.alloc(Math.ceil(json.length / PREFIX_BYTES) * PREFIX_BYTES, ' ');
  json.copy(padded);
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.writeBigUInt64LE(BigInt(padded.length));

  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fh: FileHandle | null = null;
  try {
    fh = await fsp.open(tmp, 'wx');
    await writeAll(fh, prefix, 0);
    await writeAll(fh, padded, PREFIX_BYTES);
    let pos = PREFIX_BYTES + padded.length;
    for (const t of Object.values(tensors)) {
      const bytes = encode(t);
      await writeAll(fh, bytes, pos);
      pos += bytes.length;
    }
    await fh.close();
    fh = null;
    await fsp.rename(tmp, file);
  } catch (err) {
    if (fh !== null) await fh.close().catch(() => {});
    await fsp.rm(tmp, { force: true });
    throw new RleError('E_OUTPUT', `cannot write: ${reason(err)}`, { file });
  }
}
