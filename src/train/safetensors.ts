/**
 * Reader for the safetensors format (writer: safetensors-write.ts) (https://github.com/huggingface/safetensors):
 * an 8-byte little-endian u64 header length N, then N bytes of UTF-8 JSON naming each tensor's
 * dtype, shape and byte range, then the data buffer those ranges point into (offsets count
 * from byte 8 + N of the file). Opening reads only the header; each tensor is read on demand
 * with one positioned read, so a 500 MB checkpoint is never held in memory twice.
 */
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import { RleError } from '../errors.js';
import { fsErrorReason } from '../store/files.js';
import { assertLittleEndian, f16Lut } from './half-float.js';

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
export const READABLE = ['F32', 'F16', 'BF16', 'F64'];

/** Size of the header-length prefix (bytes). */
export const PREFIX_BYTES = 8;
/** The reference implementation refuses headers over 100 MB; so do we, before allocating one. */
const MAX_HEADER_BYTES = 100_000_000;
/** One read() moves at most 2 GiB in Node; stay well below (bytes). */
const MAX_READ_BYTES = 1 << 30;


function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A whole number ≥ 0 (a dimension or an offset). */
export function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

// Bit-level views shared by the conversions below (one element each).
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
      throw new RleError('E_INPUT_MISSING', `cannot read: ${fsErrorReason(err)}`, { file });
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
