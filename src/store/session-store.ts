/**
 * The crash-safe session store: SQLite in WAL mode; each append is one transaction (the store
 * sink commits ticks in batches at most 500 ms apart, so `kill -9` loses under a second);
 * sessions left `running` by a dead process are marked `interrupted` on the next open, data
 * intact.
 */
import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MetricRow } from '../core/engine.js';
import type { Provenance } from '../core/provenance.js';
import { RleError } from '../errors.js';
import { MIGRATIONS, SCHEMA, SCHEMA_VERSION } from './schema.js';

export type SessionStatus = 'running' | 'completed' | 'interrupted' | 'failed';
/** How a session ended. */
export type EndStatus = Exclude<SessionStatus, 'running'>;

export interface SessionInfo {
  id: string;
  name: string | null;
  kind: string;
  status: SessionStatus;
  /** Unix seconds. */
  started_at: number;
  ended_at: number | null;
  host: string;
  pid: number | null;
  manifest: Record<string, unknown>;
}

export interface SessionListing extends Omit<SessionInfo, 'manifest' | 'host' | 'pid'> {
  devices: string[];
  samples: number;
}

/** One device's readings at one tick. */
export interface SampleRecord {
  device: string;
  /** Actual read time, Unix seconds. */
  t: number;
  /** Scheduled tick time, Unix seconds (null for imported data). */
  scheduled_t: number | null;
  util_pct: number | null;
  temp_c: number | null;
  power_w: number | null;
  /** Provenance of each reading; null when there is none (unavailable). */
  util_src: Provenance | null;
  temp_src: Provenance | null;
  power_src: Provenance | null;
  /** Other readings by id (frequencies, memory, sub-zone power…). */
  extra?: Record<string, number | null> | null;
}

/** The engine's output as stored (the power it used is the sample's power_w, or an estimate). */
export type StoredMetric = Omit<MetricRow, 'power_used_w'>;

/** The throttle detector's answer for a stored sample. */
export interface StoredThrottle {
  throttled: 0 | 1 | null;
  /** `;`-separated causes (thermal, power, hardware, other); null when none. */
  causes: string | null;
}

export interface StoredRow {
  sample: SampleRecord;
  metric: StoredMetric;
  throttle?: StoredThrottle | null;
}

export interface StoreEvent {
  t: number;
  device: string | null;
  type: string;
  detail?: string | null;
}

/** One training step, on the session clock: when it ended (its metrics arrived, or its own time). */
export interface StepRecord {
  step: number;
  /** Unix seconds: the step's end. */
  t: number;
  /** Unix seconds: the step's start when the trainer said; otherwise absent or null (the previous step's end). */
  t_start?: number | null;
  /**
   * Where t came from: `own` (the trainer's time), `arrival` (stamped when its line arrived),
   * `burst` (arrived in a burst of buffered lines: t says nothing about when it ran).
   */
  t_source?: 'own' | 'arrival' | 'burst' | null;
  loss: number | null;
  grad_norm: number | null;
  learning_rate: number | null;
  tokens: number | null;
  epoch: number | null;
}

/** `$RLE_HOME/rle.db`, else `$XDG_DATA_HOME/rle/rle.db`, else `~/.local/share/rle/rle.db`. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RLE_HOME) return path.join(env.RLE_HOME, 'rle.db');
  const data = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(data, 'rle', 'rle.db');
}

function newSessionId(startedAtS: number): string {
  const d = new Date(startedAtS * 1000).toISOString();
  return `${d.slice(0, 10).replaceAll('-', '')}-${d.slice(11, 19).replaceAll(':', '')}-${randomBytes(3).toString('hex')}`;
}

/**
 * The native SQLite addon is loaded on first use, not at start-up: commands that never touch
 * the store (augment, analyze of a CSV) should not pay for loading it.
 */
const require = createRequire(import.meta.url);
function openDatabase(file: string): Database.Database {
  const Ctor = require('better-sqlite3') as typeof Database;
  return new Ctor(file);
}

/** Adds the columns of later schema versions to an older store. */
function migrate(db: Database.Database): void {
  for (const m of MIGRATIONS) {
    const cols = db.prepare(`PRAGMA table_info(${m.table})`).all() as { name: string }[];
    if (!cols.some((c) => c.name === m.column)) db.exec(`ALTER TABLE ${m.table} ADD COLUMN ${m.column} ${m.type}`);
  }
}

/** Whether `o` has an own key (without building the array of them). */
function hasKeys(o: object): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return true;
  return false;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface SessionRowDb extends Omit<SessionInfo, 'manifest'> {
  manifest: string;
}

export class SessionStore {
  private constructor(
    readonly db: Database.Database,
    readonly file: string,
  ) {}

  static open(file: string = defaultDbPath()): SessionStore {
    let db: Database.Database;
    try {
      if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
      db = openDatabase(file);
      db.pragma('journal_mode = WAL');
      // WAL + NORMAL: a committed transaction survives a process crash (not a power cut).
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      db.exec(SCHEMA);
      migrate(db);
      db.prepare('INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)').run('schema_version', String(SCHEMA_VERSION));
    } catch (e) {
      throw new RleError('E_STORE', `cannot open the session store: ${(e as Error).message}`, { file });
    }
    const store = new SessionStore(db, file);
    store.markInterrupted();
    return store;
  }

  /** Sessions `running` on this host whose process is gone were interrupted. */
  private markInterrupted(): void {
    const running = this.db
      .prepare("SELECT id, pid FROM sessions WHERE status = 'running' AND host = ?")
      .all(os.hostname()) as { id: string; pid: number | null }[];
    const mark = this.db.prepare(
      `UPDATE sessions SET status = 'interrupted',
         ended_at = COALESCE((SELECT MAX(t) FROM samples WHERE session_id = sessions.id), started_at)
       WHERE id = ?`,
    );
    for (const s of running) if (s.pid === null || !alive(s.pid)) mark.run(s.id);
  }

  createSession(o: { kind: string; name?: string | null; startedAt: number; manifest: Record<string, unknown> }): string {
    const id = newSessionId(o.startedAt);
    this.db
      .prepare(
        `INSERT INTO sessions (id, name, kind, status, started_at, host, pid, manifest)
         VALUES (?, ?, ?, 'running', ?, ?, ?, ?)`,
      )
      .run(id, o.name ?? null, o.kind, o.startedAt, os.hostname(), process.pid, JSON.stringify(o.manifest));
    return id;
  }

  private appendTx: ((sessionId: string, rows: readonly StoredRow[], events: readonly StoreEvent[]) => void) | null = null;

  /**
   * The statements and the transaction of append(), prepared once: better-sqlite3 builds four
   * wrapper functions for every db.transaction() call, and the store sink commits twice a second.
   */
  private appender(): (sessionId: string, rows: readonly StoredRow[], events: readonly StoreEvent[]) => void {
    if (this.appendTx) return this.appendTx;
    const sample = this.db.prepare(
      `INSERT INTO samples (session_id, device, t, scheduled_t, util_pct, temp_c, power_w, util_src, temp_src, power_src, extra)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const metric = this.db.prepare(
      `INSERT INTO metrics (sample_id, rle_smoothed, rle_raw, rle_norm, E_th, E_pw, a_load, t_sustain_s, rolling_peak, collapse, power_source, throttled, throttle_causes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const event = this.db.prepare('INSERT INTO events (session_id, t, device, type, detail) VALUES (?, ?, ?, ?, ?)');
    this.appendTx = this.db.transaction((sessionId: string, rows: readonly StoredRow[], events: readonly StoreEvent[]) => {
      for (const { sample: s, metric: m, throttle: th } of rows) {
        const extra = s.extra && hasKeys(s.extra) ? JSON.stringify(s.extra) : null;
        const r = sample.run(sessionId, s.device, s.t, s.scheduled_t, s.util_pct, s.temp_c, s.power_w, s.util_src, s.temp_src, s.power_src, extra);
        metric.run(r.lastInsertRowid, m.rle_smoothed, m.rle_raw, m.rle_norm, m.E_th, m.E_pw, m.a_load, m.t_sustain_s, m.rolling_peak, m.collapse, m.power_source, th?.throttled ?? null, th?.causes ?? null);
      }
      for (const e of events) event.run(sessionId, e.t, e.device, e.type, e.detail ?? null);
    });
    return this.appendTx;
  }

  /** Rows (and events) of one tick, or a batch of imported rows, in one transaction. */
  append(sessionId: string, rows: readonly StoredRow[], events: readonly StoreEvent[] = []): void {
    const tx = this.appender();
    try {
      tx(sessionId, rows, events);
    } catch (e) {
      throw new RleError('E_STORE', `cannot write to the session store: ${(e as Error).message}`, { file: this.file });
    }
  }

  finish(sessionId: string, status: SessionStatus, endedAt: number): void {
    this.db.prepare('UPDATE sessions SET status = ?, ended_at = ? WHERE id = ?').run(status, endedAt, sessionId);
  }

  /** Gives every recorded value of one column of a device a new provenance (a constant found after import). */
  relabel(sessionId: string, device: string, column: 'temp' | 'power', to: Provenance): void {
    const col = column === 'temp' ? 'temp_src' : 'power_src';
    this.db.prepare(`UPDATE samples SET ${col} = ? WHERE session_id = ? AND device = ? AND ${col} IS NOT NULL`).run(to, sessionId, device);
  }

  /** Deletes a session and everything recorded in it (a failed import). */
  remove(sessionId: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id = ?').run(sessionId);
  }

  updateManifest(sessionId: string, manifest: Record<string, unknown>): void {
    this.db.prepare('UPDATE sessions SET manifest = ? WHERE id = ?').run(JSON.stringify(manifest), sessionId);
  }

  /** The sessions a full id or prefix names: the exact one, else up to 3 by prefix. */
  private match(idOrPrefix: string): SessionRowDb[] {
    const rows = this.db
      .prepare("SELECT * FROM sessions WHERE id = ? OR id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 3")
      .all(idOrPrefix, idOrPrefix.replace(/[\\%_]/g, '\\$&') + '%') as SessionRowDb[];
    const exact = rows.find((r) => r.id === idOrPrefix);
    return exact ? [exact] : rows;
  }

  /** A session by full id or unique prefix. */
  get(idOrPrefix: string): SessionInfo {
    const rows = this.match(idOrPrefix);
    if (rows.length !== 1) {
      const why = rows.length === 0 ? 'no stored session' : `ambiguous: ${rows.map((r) => r.id).join(', ')}…`;
      throw new RleError('E_SESSION', `${why} matching "${idOrPrefix}" in ${this.file}`);
    }
    const row = rows[0]!;
    return { ...row, manifest: JSON.parse(row.manifest) as Record<string, unknown> };
  }

  /** How many stored sessions `idOrPrefix` names (0, 1, or more: ambiguous). */
  matches(idOrPrefix: string): number {
    return this.match(idOrPrefix).length;
  }

  /** Whether `idOrPrefix` names exactly one stored session. */
  has(idOrPrefix: string): boolean {
    return this.matches(idOrPrefix) === 1;
  }

  list(): SessionListing[] {
    const rows = this.db
      .prepare(
        `SELECT s.id, s.name, s.kind, s.status, s.started_at, s.ended_at,
                (SELECT COUNT(*) FROM samples WHERE session_id = s.id) AS samples,
                (SELECT GROUP_CONCAT(device) FROM (SELECT DISTINCT device FROM samples WHERE session_id = s.id ORDER BY device)) AS devices
         FROM sessions s ORDER BY s.started_at, s.id`,
      )
      .all() as (Omit<SessionListing, 'devices'> & { devices: string | null })[];
    return rows.map((r) => ({ ...r, devices: r.devices ? r.devices.split(',') : [] }));
  }

  /** Samples with their metrics, in recording order, streamed from the database. */
  *rows(sessionId: string): Generator<StoredRow> {
    const it = this.db
      .prepare(
        `SELECT s.*, m.* FROM samples s JOIN metrics m ON m.sample_id = s.id
         WHERE s.session_id = ? ORDER BY s.id`,
      )
      .iterate(sessionId) as IterableIterator<Record<string, unknown>>;
    for (const r of it) yield toStoredRow(r);
  }

  /**
   * Readings (without the stored metrics) after sample id `afterId`, in recording order,
   * streamed — as arrays made into records here (a day of 1 Hz samples for two devices:
   * ~0.3 s less than rows as objects).
   */
  *samplesAfter(sessionId: string, afterId = 0): Generator<{ id: number; sample: SampleRecord }> {
    const it = this.db
      .prepare('SELECT id, device, t, scheduled_t, util_pct, temp_c, power_w, util_src, temp_src, power_src, extra FROM samples WHERE session_id = ? AND id > ? ORDER BY id')
      .raw(true)
      .iterate(sessionId, afterId) as IterableIterator<SampleColumns>;
    for (const r of it) yield { id: r[0], sample: sampleOf(r) };
  }

  /** Rows stored after sample id `afterId` (live views poll with the last id they saw), at most `limit`. */
  rowsAfter(sessionId: string, afterId: number, limit = 200_000): { id: number; row: StoredRow }[] {
    const rows = this.db
      .prepare(
        `SELECT s.*, m.*, s.id AS sample_id FROM samples s JOIN metrics m ON m.sample_id = s.id
         WHERE s.session_id = ? AND s.id > ? ORDER BY s.id LIMIT ?`,
      )
      .all(sessionId, afterId, limit) as Record<string, unknown>[];
    return rows.map((r) => ({ id: r.sample_id as number, row: toStoredRow(r) }));
  }

  /** First and last sample time of a session, Unix s; null without samples. */
  timeSpan(sessionId: string): [number, number] | null {
    const r = this.db.prepare('SELECT MIN(t) AS a, MAX(t) AS b FROM samples WHERE session_id = ?').get(sessionId) as { a: number | null; b: number | null };
    return r.a === null || r.b === null ? null : [r.a, r.b];
  }

  /**
   * At most how much a session holds — samples (all devices) and training steps — from the ends
   * of its index ranges (sample ids, step numbers): two index look-ups each, where COUNT(*) read
   * 670,000 index entries for a day and 500,000 steps (0.5 s).
   */
  sizeBound(sessionId: string): { samples: number; steps: number } {
    // One aggregate a query: SQLite answers a lone MIN or MAX from the index's end, not both at once.
    const one = (sql: string): number | null => (this.db.prepare(sql).get(sessionId) as { v: number | null }).v;
    const span = (table: string, col: string): number => {
      const a = one(`SELECT MIN(${col}) AS v FROM ${table} WHERE session_id = ?`), b = one(`SELECT MAX(${col}) AS v FROM ${table} WHERE session_id = ?`);
      return a === null || b === null ? 0 : b - a + 1;
    };
    return { samples: span('samples', 'id'), steps: span('steps', 'step') };
  }

  /** Id of the session's last stored sample (0 when none). */
  lastSampleId(sessionId: string): number {
    const r = this.db.prepare('SELECT MAX(id) AS id FROM samples WHERE session_id = ?').get(sessionId) as { id: number | null };
    return r.id ?? 0;
  }

  /** Per session: samples and collapse samples (for listings). */
  collapseCounts(): Map<string, { samples: number; collapse: number }> {
    const rows = this.db
      .prepare('SELECT s.session_id AS id, COUNT(*) AS samples, SUM(m.collapse) AS collapse FROM samples s JOIN metrics m ON m.sample_id = s.id GROUP BY s.session_id')
      .all() as { id: string; samples: number; collapse: number | null }[];
    return new Map(rows.map((r) => [r.id, { samples: r.samples, collapse: r.collapse ?? 0 }]));
  }

  /** Ids of the extra readings stored for a session, in order of first appearance. */
  extraKeys(sessionId: string): string[] {
    const rows = this.db
      .prepare(
        `SELECT j.key AS key, MIN(s.id) AS first FROM samples s, json_each(s.extra) j
         WHERE s.session_id = ? AND s.extra IS NOT NULL GROUP BY j.key ORDER BY first, j.key`,
      )
      .all(sessionId) as { key: string }[];
    return rows.map((r) => r.key);
  }

  /** Training steps; a step number seen again replaces the earlier one (a re-printed log line). */
  appendSteps(sessionId: string, steps: readonly StepRecord[]): void {
    const st = this.db.prepare(
      `INSERT OR REPLACE INTO steps (session_id, step, t, loss, grad_norm, learning_rate, tokens, epoch, t_start, t_source)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const finite = (x: number | null | undefined): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : x);
    this.db.transaction(() => {
      for (const s of steps) st.run(sessionId, s.step, s.t, finite(s.loss), finite(s.grad_norm), finite(s.learning_rate), s.tokens, finite(s.epoch), finite(s.t_start), s.t_source ?? null);
    })();
  }

  /**
   * Rows come as arrays, one at a time, and are made into objects here: better-sqlite3 building
   * an object per row took ~0.8 s more for 500,000 steps than this (same objects, same key
   * order), and all rows as arrays at once held ~100 MB more.
   */
  steps(sessionId: string): StepRecord[] {
    const rows = this.db
      .prepare('SELECT step, t, t_start, t_source, loss, grad_norm, learning_rate, tokens, epoch FROM steps WHERE session_id = ? ORDER BY step')
      .raw(true)
      .iterate(sessionId) as IterableIterator<[number, number, number | null, StepRecord['t_source'], number | null, number | null, number | null, number | null, number | null]>;
    const out: StepRecord[] = [];
    for (const [step, t, t_start, t_source, loss, grad_norm, learning_rate, tokens, epoch] of rows) out.push({ step, t, t_start, t_source, loss, grad_norm, learning_rate, tokens, epoch });
    return out;
  }

  events(sessionId: string): StoreEvent[] {
    return this.db.prepare('SELECT t, device, type, detail FROM events WHERE session_id = ? ORDER BY t, id').all(sessionId) as StoreEvent[];
  }

  close(): void {
    this.db.close();
  }
}

function toStoredRow(r: Record<string, unknown>): StoredRow {
  return { sample: toSample(r), metric: toMetric(r), throttle: { throttled: (r.throttled as 0 | 1 | null) ?? null, causes: (r.throttle_causes as string | null) ?? null } };
}

type SampleColumns = [number, string, number, number | null, number | null, number | null, number | null, Provenance | null, Provenance | null, Provenance | null, string | null];

function sampleOf([, device, t, scheduled_t, util_pct, temp_c, power_w, util_src, temp_src, power_src, extra]: SampleColumns): SampleRecord {
  return { device, t, scheduled_t, util_pct, temp_c, power_w, util_src, temp_src, power_src, extra: extra ? (JSON.parse(extra) as Record<string, number | null>) : null };
}

function toSample(r: Record<string, unknown>): SampleRecord {
  return {
    device: r.device as string,
    t: r.t as number,
    scheduled_t: r.scheduled_t as number | null,
    util_pct: r.util_pct as number | null,
    temp_c: r.temp_c as number | null,
    power_w: r.power_w as number | null,
    util_src: r.util_src as Provenance | null,
    temp_src: r.temp_src as Provenance | null,
    power_src: r.power_src as Provenance | null,
    extra: r.extra ? (JSON.parse(r.extra as string) as Record<string, number | null>) : null,
  };
}

function toMetric(r: Record<string, unknown>): StoredMetric {
  return {
    rle_smoothed: r.rle_smoothed as number,
    rle_raw: r.rle_raw as number,
    rle_norm: r.rle_norm as number,
    E_th: r.E_th as number,
    E_pw: r.E_pw as number,
    a_load: r.a_load as number,
    t_sustain_s: r.t_sustain_s as number,
    rolling_peak: r.rolling_peak as number,
    collapse: r.collapse as 0 | 1,
    power_source: r.power_source as MetricRow['power_source'],
  };
}
