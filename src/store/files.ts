/**
 * Opening inputs and writing outputs safely: clear errors for missing or unreadable files,
 * and atomic outputs (a temp file beside the target, renamed into place only on success).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline, Transform, type Readable, type Writable } from 'node:stream';
import { RleError } from '../errors.js';
import { removeStaleTemps, tempName } from './stale-temps.js';

/**
 * Read and write buffer sizes, bytes. Reads of 64 KiB: a day's replay takes ~140 of them (each
 * a round trip through the thread pool; 16 KiB took ~550), and the reader parses in slices of
 * its own, so larger reads would not make larger batches, only a higher peak of memory (a
 * day's augment peaked at 96 MB with 256 KiB reads, 74 MB with these).
 */
const READ_CHUNK_BYTES = 1 << 16;
const WRITE_BUFFER_BYTES = 1 << 20;
/** An AtomicOutput starts a background flush to disk after this many bytes more (see syncInBackground). */
const SYNC_EVERY_BYTES = 8 << 20;

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EFBIG: 'file too large',
  EIO: 'input/output error',
};

/** A short reason for a failed file operation, for messages. */
export function fsErrorReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return (code && REASONS[code]) || (err as Error).message;
}

/**
 * A readable for a path, or stdin for `-`; `.gz` files are decompressed on the fly.
 * Fails early, with a clear message, on a bad path.
 */
export async function openInput(file: string): Promise<Readable> {
  if (file === '-') return process.stdin;
  try {
    const st = await fsp.stat(file);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    const fh = await fsp.open(file, 'r');
    const stream = fh.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
    if (!file.endsWith('.gz')) return stream;
    // zlib only for gzipped inputs: every command imports this module (~5 ms to load zlib).
    const { createGunzip } = await import('node:zlib');
    return inflated(file, stream, createGunzip());
  } catch (err) {
    throw new RleError('E_INPUT_MISSING', `cannot read: ${fsErrorReason(err)}`, { file });
  }
}

/**
 * Inflated bytes per compressed byte beyond which a `.gz` input is refused, checked once
 * RATIO_CHECK_BYTES are out. Session text compresses 5–20× (every line has its own
 * timestamp); 200× is a file built to inflate (200 MB of one line from 200 KB).
 */
export const MAX_INFLATE_RATIO = 200;
const RATIO_CHECK_BYTES = 16 << 20;

/** The decompressed text of a gzip file stream, refused once it inflates past MAX_INFLATE_RATIO. */
function inflated(file: string, stream: Readable, gunzip: Transform): Readable {
  let compressed = 0;
  let out = 0;
  stream.on('data', (c: Buffer) => (compressed += c.length));
  const guard = new Transform({
    transform(chunk: Buffer, _enc, cb): void {
      out += chunk.length;
      if (out > RATIO_CHECK_BYTES && out > MAX_INFLATE_RATIO * compressed) {
        cb(new RleError('E_INPUT_FORMAT', `inflates to over ${MAX_INFLATE_RATIO}× its compressed size (${out} bytes from ${compressed}): not a session CSV`, { file }));
      } else cb(null, chunk);
    },
  });
  // pipeline() destroys every stage with any stage's error; the reader reports it.
  pipeline(stream, gunzip, guard, () => {});
  return guard;
}

/** Temp files (and report folders) not yet committed, removed if the process is interrupted. */
const pending = new Set<string>();

export function removePendingOutputs(): void {
  for (const p of pending) {
    try {
      fs.rmSync(p, { recursive: true, force: true });
    } catch {
      // already gone
    }
  }
  pending.clear();
}

/** A temp path to remove at exit unless released first (writeReportFolder's folder). */
export function holdTemp(p: string): void {
  pending.add(p);
}

export function releaseTemp(p: string): void {
  pending.delete(p);
}

/** Resolves when `stream` can take more, honouring backpressure; `written` as in ChunkWriter. */
export function writeChunk(stream: Writable, s: string | Uint8Array, written?: () => void): Promise<void> | undefined {
  return stream.write(s, written && (() => written())) ? undefined : drained(stream);
}

/** Resolves at the stream's next 'drain', rejects at its next 'error'. */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (e: Error): void => {
      stream.off('drain', onDrain);
      reject(e);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

/**
 * Writes chunks, honouring backpressure; a chunk that cannot be written rejects with E_OUTPUT
 * naming the output. `written`, when given, is called once the stream is done with the chunk
 * (written, or failed): its bytes may be reused from then on.
 */
export type ChunkWriter = (s: string | Uint8Array, written?: () => void) => Promise<void> | undefined;

/**
 * A ChunkWriter for a stream that is not a file of ours (standard output): a failed write
 * (a full disk under `rle export > file`) is an E_OUTPUT error naming it. EPIPE (the reader
 * went away, `| head`) is main's to handle.
 */
export function streamWriter(stream: Writable, name = 'standard output'): ChunkWriter {
  return (s, written) => {
    const fail = (e: unknown): never => {
      throw new RleError('E_OUTPUT', `cannot write: ${fsErrorReason(e)}`, { file: name });
    };
    if (stream.errored) fail(stream.errored);
    return writeChunk(stream, s, written)?.catch(fail);
  };
}

/**
 * A file that appears at `target` only when commit() succeeds: written to a temp file beside
 * it (`.<name>.<pid>.<hex>.tmp`, see stale-temps.ts), every write checked, flushed to disk
 * (fsync) and closed before the rename. On any failure the temp file is removed and an
 * existing target is left as it was.
 *
 * A write stream reports a failed write asynchronously, and its end() callback fires at
 * 'finish', before the fsync and close: so the stream's own `errored` is checked after every
 * write and once it has closed, never a flag set by an 'error' listener (which runs later).
 */
export class AtomicOutput {
  readonly stream: fs.WriteStream;
  private readonly tmp: string;
  private done = false;
  /** Bytes (for strings: characters) queued since the last background flush began. */
  private unsynced = 0;
  /** The background flush under way, if any. */
  private syncing: Promise<void> | null = null;
  /** The first failure of a background flush: a failure of this output like any other. */
  private syncError: unknown = null;
  /** The temp file's descriptor, once open. */
  private fd: number | null = null;

  private constructor(
    readonly target: string,
    hex: string,
  ) {
    this.tmp = tempName(target, hex);
    // flush: the file descriptor is fsynced before it is closed (Node ≥ 20.10).
    this.stream = fs.createWriteStream(this.tmp, { flags: 'wx', highWaterMark: WRITE_BUFFER_BYTES, flush: true });
    this.stream.on('error', () => undefined); // read from stream.errored
    this.stream.once('open', (fd: number) => (this.fd = fd));
    pending.add(this.tmp);
  }

  static async open(target: string): Promise<AtomicOutput> {
    const dir = path.dirname(target);
    if (/[\\/]$/.test(target)) throw new RleError('E_OUTPUT', 'cannot write: names a folder (give a file name)', { file: target });
    try {
      const st = await fsp.stat(dir);
      if (!st.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    } catch (err) {
      throw new RleError('E_OUTPUT', `cannot write: folder ${dir}: ${fsErrorReason(err)}`, { file: target });
    }
    try {
      const st = await fsp.stat(target);
      if (st.isDirectory()) throw new RleError('E_OUTPUT', 'cannot write: is a folder (give a file name)', { file: target });
    } catch (err) {
      if (err instanceof RleError) throw err;
    }
    removeStaleTemps(dir);
    // crypto only when an output is written: every command imports this module (~6 ms to load crypto).
    const { randomBytes } = await import('node:crypto');
    const out = new AtomicOutput(target, randomBytes(4).toString('hex'));
    await new Promise<void>((resolve, reject) => {
      out.stream.once('open', () => resolve());
      out.stream.once('error', (e) => {
        pending.delete(out.tmp);
        reject(new RleError('E_OUTPUT', `cannot write: ${fsErrorReason(e)}`, { file: target }));
      });
    });
    return out;
  }

  /** `e` as the error of this output: a failed write, fsync or close names the target. */
  failure(e: unknown): RleError {
    return e instanceof RleError ? e : new RleError('E_OUTPUT', `cannot write: ${fsErrorReason(e)}`, { file: this.target });
  }

  /** Throws the stream's first error, if there was one. */
  private check(): void {
    const e = this.stream.errored ?? this.syncError;
    if (e) throw this.failure(e);
  }

  /**
   * Starts flushing to disk what the file has been given so far (fdatasync), while writing
   * goes on: the fsync before close then has only the last few MB left. A day's augment
   * writes 34 MB, and its one fsync at the end took ~80 ms of wall time on the bench VM.
   */
  private syncInBackground(): void {
    const fd = this.fd;
    if (fd === null || this.syncing) return;
    this.unsynced = 0;
    this.syncing = new Promise((resolve) => {
      fs.fdatasync(fd, (e) => {
        if (e) this.syncError ??= e;
        this.syncing = null;
        resolve();
      });
    });
  }

  /** Queues `s`; throws the stream's first error, if there was one. Returns false under backpressure. `written` as in ChunkWriter. */
  write(s: string | Uint8Array, written?: () => void): boolean {
    this.check();
    this.unsynced += s.length;
    if (this.unsynced >= SYNC_EVERY_BYTES) this.syncInBackground();
    return this.stream.write(s, written && (() => written()));
  }

  /** Writes `s`, resolving when the stream can take more (backpressure); rejects with the output's error. */
  put(s: string | Uint8Array, written?: () => void): Promise<void> | undefined {
    if (this.write(s, written)) return undefined;
    return drained(this.stream).then(
      () => this.check(),
      (e: unknown) => {
        throw this.failure(e);
      },
    );
  }

  /** Ends the file, flushes it to disk and renames it into place; on failure nothing is left behind. */
  async commit(): Promise<void> {
    await this.finish();
    await this.publish();
  }

  /** Ends the temp file, flushes it to disk and closes it (the target is not touched yet). */
  async finish(): Promise<void> {
    try {
      await this.syncing; // never rejects: a failure is kept in syncError
      this.check();
      await new Promise<void>((resolve) => {
        if (this.stream.closed) resolve();
        else this.stream.once('close', () => resolve());
        this.stream.end();
      });
      this.check();
    } catch (e) {
      await this.abort();
      throw this.failure(e);
    }
  }

  /** Renames the finished temp file onto the target. */
  async publish(): Promise<void> {
    try {
      await fsp.rename(this.tmp, this.target);
    } catch (e) {
      await this.abort();
      throw this.failure(e);
    }
    pending.delete(this.tmp);
    this.done = true;
  }

  /** Drops the temp file; the target is left as it was. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.syncing; // the descriptor stays open until a background flush is over
    this.stream.destroy();
    pending.delete(this.tmp);
    await fsp.rm(this.tmp, { force: true });
  }
}

/** The whole of `data` (or of its parts, in order) at `target`, or nothing there (temp file, then rename). */
export async function writeFileAtomic(target: string, data: string | Buffer | readonly Buffer[]): Promise<void> {
  const out = await AtomicOutput.open(target);
  try {
    for (const part of typeof data === 'string' || Buffer.isBuffer(data) ? [data] : data) out.write(part);
    await out.commit();
  } catch (err) {
    await out.abort();
    throw err instanceof RleError ? err : new RleError('E_OUTPUT', `cannot write: ${fsErrorReason(err)}`, { file: target });
  }
}
