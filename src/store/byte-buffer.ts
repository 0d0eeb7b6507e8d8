/**
 * Text assembled as UTF-8 bytes: session CSV lines are appended here (numbers by
 * writeNumber, ASCII text a byte at a time) and handed to the output as whole chunks, so
 * writing a day of rows makes no string per number nor per line, and no string is encoded
 * at the end either. Writers that append many small things reserve room once (`room`),
 * write into `bytes` from `end` themselves, then set `end`.
 *
 * Chunks are views of one slab, taken one after another; the next slab is one the output
 * has released all chunks of (see release), else a new one. Reusing them keeps memory flat:
 * a released-late slab would otherwise outlive young-generation GCs and wait for a full one.
 */
import { MAX_NUMBER_BYTES, writeNumber } from './number-bytes.js';

const NEEDS_QUOTES = /[",\r\n]/;

/** Slab size, bytes: a few batches of session lines (~200 bytes each). */
const SLAB_BYTES = 1 << 20;
/** Released slabs kept for reuse, at most. */
const SPARE_SLABS = 4;
/**
 * The first slab, bytes: small, so that a new slab is made within the first rows, before the
 * writers' code is optimized (a path first taken after that discards the optimized code).
 */
const FIRST_SLAB_BYTES = 1 << 12;

/**
 * Backing store. Always a Buffer (never a plain Uint8Array too): code that sees one kind of
 * array is optimized once, where two kinds deoptimize it when the second appears.
 */
function alloc(bytes: number): Buffer {
  return Buffer.allocUnsafeSlow(bytes);
}

/**
 * `s` at b[at…] when it is ASCII that needs no CSV quoting, returning the offset after it;
 * -1 (with b[at…] scribbled on) otherwise. Room for s.length bytes is the caller's.
 */
export function writeAsciiField(b: Uint8Array, at: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    // quote, comma, CR, LF, and anything that is not ASCII
    if (c >= 0x80 || c === 34 || c === 44 || c === 10 || c === 13) return -1;
    b[at + i] = c;
  }
  return at + n;
}

export class ByteBuffer {
  bytes: Buffer;
  /** Offset of the first byte not yet taken. */
  private start = 0;
  /** Offset where the next byte goes. */
  end = 0;
  /** Whether a view of the slab was handed out (then its bytes are never written over). */
  private viewed = false;
  /** Chunks taken and not yet released, by the slab they are views of. */
  private readonly out = new Map<ArrayBufferLike, { readonly slab: Buffer; chunks: number }>();
  /** Full-size slabs all of whose chunks were released. */
  private readonly spare: Buffer[] = [];

  constructor(private readonly slabBytes = SLAB_BYTES) {
    this.bytes = alloc(Math.min(FIRST_SLAB_BYTES, slabBytes));
  }

  /** Bytes written and not yet taken. */
  get size(): number {
    return this.end - this.start;
  }

  /** Makes room for `n` more bytes at `end` and returns the (possibly new) backing array. */
  room(n: number): Buffer {
    if (this.end + n > this.bytes.length) {
      const size = this.size;
      const old = this.bytes;
      const slab = (size + n <= this.slabBytes ? this.spare.pop() : undefined) ?? alloc(Math.max(this.slabBytes, 2 * (size + n)));
      old.copy(slab, 0, this.start, this.end);
      this.bytes = slab;
      this.keep(old);
      this.viewed = false;
      this.start = 0;
      this.end = size;
    }
    return this.bytes;
  }

  byte(c: number): void {
    this.room(1)[this.end++] = c;
  }

  /** String(x) (`-0` as `0`). */
  number(x: number): void {
    this.end = writeNumber(this.room(MAX_NUMBER_BYTES), this.end, x);
  }

  /** `s` in UTF-8, as it is. */
  text(s: string): void {
    const b = this.room(3 * s.length);
    this.end += b.write(s, this.end, 'utf8');
  }

  /** `s` as a CSV field: RFC 4180 quotes only when it holds a quote, comma or line break. */
  field(s: string): void {
    const end = writeAsciiField(this.room(s.length), this.end, s);
    if (end >= 0) this.end = end;
    else this.text(NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  }

  /** The bytes written since the last take, as a view the buffer never writes to again. */
  take(): Buffer {
    const chunk = this.bytes.subarray(this.start, this.end);
    this.start = this.end;
    this.viewed = true;
    const o = this.out.get(this.bytes.buffer);
    if (o) o.chunks++;
    else this.out.set(this.bytes.buffer, { slab: this.bytes, chunks: 1 });
    return chunk;
  }

  /** The output is done with a chunk taken from here (it was written): its slab may be reused. */
  release(chunk: Uint8Array): void {
    const o = this.out.get(chunk.buffer);
    if (!o || --o.chunks > 0) return;
    this.out.delete(chunk.buffer);
    if (o.slab !== this.bytes) this.keep(o.slab);
  }

  /** Keeps a slab no longer written to for reuse, once no chunk of it is out. */
  private keep(slab: Buffer): void {
    if (!this.out.has(slab.buffer) && slab.length === this.slabBytes && this.spare.length < SPARE_SLABS) this.spare.push(slab);
  }

  /** The bytes written since the last take, decoded, and dropped: for callers that want strings. */
  takeString(): string {
    const s = this.bytes.toString('utf8', this.start, this.end);
    // While no view was handed out, the slab is written over from its start.
    this.start = this.end = this.viewed ? this.end : 0;
    return s;
  }
}
