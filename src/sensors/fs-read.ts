/**
 * File helpers shared by the sysfs and procfs sources. A failed read is classified the way the
 * sources report it: absent or denied → 'unavailable', anything else (EIO, ENODATA…) → 'error'.
 */
import fs from 'node:fs';
import path from 'node:path';
import { failed, unavailable, type ReadBytes, type ReadFile, type Reading, type SensorContext } from './types.js';

export type { ReadBytes, ReadFile } from './types.js';

/** Options every source factory here accepts; only tests pass them (EACCES or EIO, which root's chmod cannot simulate). */
export interface SourceOptions {
  readonly readFile?: ReadFile;
}

const plainReadFile: ReadFile = (p) => fs.promises.readFile(p, 'utf8');

/** The reader a source uses: its own option, else its sensor set's kept-open handles, else plain reads. */
export function readerOf(ctx: SensorContext, opts: SourceOptions): ReadFile {
  return opts.readFile ?? ctx.readFile ?? plainReadFile;
}

/**
 * The byte reader a source uses: the set's kept-open buffers when it brings them, else the text
 * of readerOf() as bytes (tests' readers, plain reads).
 */
export function bytesReaderOf(ctx: SensorContext, opts: SourceOptions): ReadBytes {
  if (!opts.readFile && ctx.readBytes) return ctx.readBytes;
  const readFile = readerOf(ctx, opts);
  return async (p) => Buffer.from(await readFile(p), 'latin1');
}

export interface ReadFailure {
  readonly ok: false;
  readonly reason: string;
  /** EACCES/EPERM. */
  readonly denied: boolean;
  /** ENOENT and friends: the file (or the device behind it) is not there. */
  readonly absent: boolean;
}
export type ReadResult = { readonly ok: true; readonly text: string } | ReadFailure;
export type IntResult = { readonly ok: true; readonly value: number } | ReadFailure;

const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'ENODEV', 'ENXIO']);
const DENIED = new Set(['EACCES', 'EPERM']);

function errCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : '';
}

function failure(p: string, err: unknown): ReadFailure {
  const code = errCode(err);
  if (DENIED.has(code)) return { ok: false, denied: true, absent: false, reason: `permission denied reading ${p}` };
  if (ABSENT.has(code)) return { ok: false, denied: false, absent: true, reason: `${p} not found` };
  const msg = err instanceof Error ? err.message : String(err);
  return { ok: false, denied: false, absent: false, reason: `reading ${p}: ${msg}` };
}

export async function readText(p: string, readFile: ReadFile): Promise<ReadResult> {
  try {
    return { ok: true, text: await readFile(p) };
  } catch (err) {
    return failure(p, err);
  }
}

export type BytesResult = { readonly ok: true; readonly bytes: Uint8Array } | ReadFailure;

/** As readText, as bytes (valid until the next read of `p`). */
export async function readBytes(p: string, read: ReadBytes): Promise<BytesResult> {
  try {
    return { ok: true, bytes: await read(p) };
  } catch (err) {
    return failure(p, err);
  }
}

/** A file holding one integer (sysfs style, trailing newline allowed). */
export async function readInt(p: string, readFile: ReadFile): Promise<IntResult> {
  const r = await readText(p, readFile);
  if (!r.ok) return r;
  const t = r.text.trim();
  if (/^-?\d+$/.test(t)) return { ok: true, value: Number(t) };
  return { ok: false, denied: false, absent: false, reason: `not an integer in ${p}: ${JSON.stringify(t.slice(0, 40))}` };
}

/** The reading for a failed read: absent or denied is 'unavailable', anything else 'error'. */
export function notRead(base: Omit<Reading, 'status' | 'value' | 'reason'>, r: ReadFailure, reason = r.reason): Reading {
  return r.absent || r.denied ? unavailable(base, reason) : failed(base, reason);
}

export interface Entry {
  readonly name: string;
  readonly path: string;
  /** The numbers captured by the pattern, e.g. [0, 1] for `intel-rapl:0:1`. */
  readonly n: readonly number[];
}

/**
 * Entries of `dir` whose whole name matches `re`, sorted by the numbers it captures (hwmon10
 * after hwmon2); [] when `dir` is absent. Names, not Dirent types: sysfs class entries are symlinks.
 */
export async function listNumbered(dir: string, re: RegExp): Promise<Entry[]> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return [];
  }
  const out: Entry[] = [];
  for (const name of names) {
    const m = re.exec(name);
    if (!m || m[0] !== name) continue;
    const n = m.slice(1).filter((x): x is string => x !== undefined).map(Number);
    out.push({ name, path: path.join(dir, name), n });
  }
  return out.sort((a, b) => compareNums(a.n, b.n));
}

function compareNums(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** A sensor or chip name made safe for a reading id segment (`INT3400 Thermal` → `INT3400_Thermal`). */
export function idPart(s: string): string {
  return s.trim().replace(/[^A-Za-z0-9_-]+/g, '_') || 'unnamed';
}
