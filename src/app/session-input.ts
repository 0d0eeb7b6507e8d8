/**
 * "A session CSV, or a stored session's id": the one rule every command that reads sessions
 * follows (analyze, report, compare, fingerprint). A path that exists (or `-`) is a file; a
 * word that names a stored session is that session; anything else is a clear error that says
 * which of the two was looked for.
 */
import fs from 'node:fs';
import type { EngineOptions } from '../core/device.js';
import type { SessionEngine } from '../core/engine.js';
import { RleError } from '../errors.js';
import { SummaryBuilder, type SessionSummary } from '../analysis/summary.js';
import { replayCsv } from '../replay/csv.js';
import { loadCsvSession, loadStoredSession, type SessionData } from '../replay/series.js';
import { StoredReplay } from '../replay/stored.js';
import type { ReadOptions, ReadStats } from '../store/csv-reader.js';
import { openInput } from '../store/files.js';
import { SessionStore } from '../store/session-store.js';

export interface InputOptions {
  /** The session store's file. */
  readonly db: string;
  readonly engine?: EngineOptions;
  /** How to read a CSV (device name, --map, --scale). */
  readonly read?: Omit<ReadOptions, 'source'>;
  /** Told what reading a CSV skipped or doubted (the command warns). */
  readonly onStats?: (file: string, stats: ReadStats) => void;
}

export type ResolvedInput = { readonly file: string } | { readonly stored: string };

/** What looks like a file name rather than a session id. */
const PATH_LIKE = /[/\\]|\.(csv|gz|json|jsonl)$/i;
const ID_LIKE = /^[\w-]+$/;

/**
 * Opens the store when it exists, runs `f`, closes it (after the promise `f` returns, if it
 * returns one); null when there is no store: reading never creates one.
 */
export function withStore<T>(db: string, f: (store: SessionStore) => T): T | null {
  if (!fs.existsSync(db)) return null;
  const store = SessionStore.open(db);
  let r: T;
  try {
    r = f(store);
  } catch (e) {
    store.close();
    throw e;
  }
  if (r instanceof Promise) return r.finally(() => store.close()) as T;
  store.close();
  return r;
}

export function resolveInput(arg: string, db: string): ResolvedInput {
  if (arg === '-' || fs.existsSync(arg)) return { file: arg };
  if (!PATH_LIKE.test(arg) && ID_LIKE.test(arg)) {
    // An ambiguous prefix gets the store's own message, which lists the sessions it matches.
    const id = withStore(db, (s) => (s.matches(arg) > 0 ? s.get(arg).id : null));
    if (id) return { stored: id };
    throw new RleError('E_INPUT_MISSING', `no such file, nor a stored session by that id in ${db}`, { file: arg });
  }
  throw new RleError('E_INPUT_MISSING', 'cannot read: no such file', { file: arg });
}

/** A session as columns with its summary (report, compare, fingerprint). */
export async function loadSession(arg: string, o: InputOptions): Promise<SessionData & { stats?: ReadStats }> {
  const r = resolveInput(arg, o.db);
  if ('file' in r) {
    const data = await loadCsvSession(r.file, o.engine, o.read);
    if (data.stats) o.onStats?.(r.file, data.stats);
    return data;
  }
  return withStore(o.db, (s) => loadStoredSession(s, r.stored, o.engine))!;
}

export interface InputSummary {
  readonly summary: SessionSummary;
  readonly notes: string[];
  /** Reading problems of a CSV (absent for stored sessions). */
  readonly stats?: ReadStats;
  readonly engine: SessionEngine;
}

/** A session's summary in one streaming pass (memory flat in the session's length): `rle analyze`. */
export async function summarizeInput(arg: string, o: InputOptions): Promise<InputSummary> {
  const r = resolveInput(arg, o.db);
  const builder = new SummaryBuilder(o.engine?.dtS ?? 1);
  if ('stored' in r) {
    return withStore(o.db, (store) => {
      const replay = new StoredReplay(store, store.get(r.stored), o.engine);
      let rows = 0;
      for (const { sample, metric, throttle } of replay.next()) {
        builder.add(sample.device, sample, metric, throttle);
        rows++;
      }
      return { summary: builder.result(r.stored, rows, 0), notes: builder.notes(), engine: replay.engine };
    })!;
  }
  const result = await replayCsv(await openInput(r.file), { ...o.read, source: r.file }, o.engine ?? {}, {
    onBatch: (rows, metrics, throttle) => {
      for (let i = 0; i < rows.length; i++) builder.add(rows[i]!.device, rows[i]!, metrics[i]!, throttle[i]);
    },
  });
  return { summary: builder.result(r.file, result.stats.rows, result.stats.malformed.count), notes: builder.notes(), stats: result.stats, engine: result.engine };
}
