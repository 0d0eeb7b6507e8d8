/**
 * TFRecord framing, read as a stream: each record is
 * `uint64 length (LE) | uint32 masked_crc32c(length bytes) | data[length] | uint32 masked_crc32c(data)`
 * (tensorflow/core/lib/io/record_writer.cc). Memory stays at one chunk plus the largest record.
 *
 * A file that ends inside a record is a run still being written (or a writer that died): the
 * partial record is dropped and `truncation` says where. So is a tail of zero bytes from the
 * record on (what a file system leaves after a crash before the data reached the disk). Any
 * other checksum mismatch is corruption and throws, naming the byte offset.
 */
import type { FileHandle } from 'node:fs/promises';
import fsp from 'node:fs/promises';
import { RleError } from '../errors.js';
import { fsErrorReason } from '../store/files.js';
import { maskedCrc32c } from './crc32c.js';

const HEADER = 12; // uint64 length + uint32 crc
const FOOTER = 4; // uint32 crc of the data

export interface RawRecord {
  /** Byte offset of the record's header in the file. */
  readonly offset: number;
  /** 0-based record number. */
  readonly index: number;
  /** The record's payload; a view that is only valid until the next record is read. */
  readonly data: Uint8Array;
}

/** Whether `head` (a file's first bytes) starts with a well-formed TFRecord header. */
export function looksLikeTfRecord(head: Uint8Array): boolean {
  if (head.length < HEADER) return false;
  const view = new DataView(head.buffer, head.byteOffset, HEADER);
  return view.getUint32(8, true) === maskedCrc32c(head.subarray(0, 8));
}

export class TfRecordReader {
  /** Set when the file ends inside a record: why, and the byte offset of the dropped record. */
  truncation: { offset: number; reason: string } | null = null;

  constructor(
    readonly file: string,
    private readonly chunkSize = 1 << 20,
  ) {}

  /**
   * Calls `onRecord` for every record, in file order. A callback rather than an async
   * iterator: records between two reads are handled synchronously, with no promise each
   * (an iterator made a 100 MB file of 2 M scalars several times slower).
   */
  async read(onRecord: (rec: RawRecord) => void): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await fsp.open(this.file, 'r');
    } catch (e) {
      throw new RleError('E_INPUT_MISSING', `cannot read: ${fsErrorReason(e)}`, { file: this.file });
    }
    try {
      await this.frames(fh, onRecord);
    } finally {
      await fh.close();
    }
  }

  private async frames(fh: FileHandle, onRecord: (rec: RawRecord) => void): Promise<void> {
    let buf = Buffer.allocUnsafe(this.chunkSize);
    let lo = 0; // buf[lo, hi) holds file bytes [base, base + hi - lo)
    let hi = 0;
    let base = 0;
    let eof = false;
    /** Makes at least n bytes available from lo (fewer only at end of file). */
    const fill = async (n: number): Promise<void> => {
      while (hi - lo < n && !eof) {
        if (buf.length - lo < n) {
          const next = n > buf.length ? Buffer.allocUnsafe(Math.max(n, buf.length * 2)) : buf;
          buf.copy(next, 0, lo, hi);
          buf = next;
          hi -= lo;
          lo = 0;
        }
        const { bytesRead } = await fh.read(buf, hi, buf.length - hi, base + hi - lo);
        if (bytesRead === 0) eof = true;
        hi += bytesRead;
      }
    };
    const fail = async (offset: number, what: string): Promise<'tail'> => {
      if (await this.zeroFrom(fh, offset)) {
        this.truncation = { offset, reason: `zero bytes from byte ${offset} to the end (a crash before the data reached the disk?)` };
        return 'tail';
      }
      const hint = offset === 0 ? ' (not a TFRecord / TensorBoard event file?)' : '';
      throw new RleError('E_INPUT_FORMAT', `corrupt record at byte ${offset}: ${what}${hint}`, { file: this.file });
    };

    for (let index = 0; ; index++) {
      if (hi - lo < HEADER) await fill(HEADER);
      const offset = base;
      if (hi - lo === 0) return;
      if (hi - lo < HEADER) {
        this.truncation = { offset, reason: `the file ends inside a record header at byte ${offset}` };
        return;
      }
      const head = buf.subarray(lo, lo + HEADER);
      if (head.readUInt32LE(8) !== maskedCrc32c(head.subarray(0, 8))) {
        if ((await fail(offset, 'length checksum mismatch')) === 'tail') return;
      }
      const len64 = head.readBigUInt64LE(0);
      if (len64 > BigInt(Number.MAX_SAFE_INTEGER - HEADER - FOOTER)) {
        throw new RleError('E_INPUT_FORMAT', `corrupt record at byte ${offset}: length ${len64} is not plausible`, { file: this.file });
      }
      const len = Number(len64);
      const total = HEADER + len + FOOTER;
      if (hi - lo < total) await fill(total);
      if (hi - lo < total) {
        this.truncation = { offset, reason: `the file ends inside a record at byte ${offset} (${hi - lo} of ${total} bytes present)` };
        return;
      }
      const data = buf.subarray(lo + HEADER, lo + HEADER + len);
      if (buf.readUInt32LE(lo + HEADER + len) !== maskedCrc32c(data)) {
        if ((await fail(offset, 'data checksum mismatch')) === 'tail') return;
      }
      lo += total;
      base += total;
      onRecord({ offset, index, data });
    }
  }

  /** Whether every byte from `offset` to the end of the file is zero. */
  private async zeroFrom(fh: FileHandle, offset: number): Promise<boolean> {
    const chunk = Buffer.allocUnsafe(1 << 16);
    for (let pos = offset; ; ) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
      if (bytesRead === 0) return pos > offset;
      for (let i = 0; i < bytesRead; i++) if (chunk[i] !== 0) return false;
      pos += bytesRead;
    }
  }
}
