/** Writes safetensors files in the reference layout (test fixtures now, checkpoints later). */
import { randomBytes } from 'node:crypto';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { RleError } from '../errors.js';
import { fsErrorReason } from '../store/files.js';
import { assertLittleEndian, bf16FromF32Bits, f16FromF32Bits } from './half-float.js';
import { PREFIX_BYTES, isCount } from './safetensors.js';

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
    throw new RleError('E_OUTPUT', `cannot write: ${fsErrorReason(err)}`, { file });
  }
}
