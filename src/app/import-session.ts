/**
 * `rle import`: a session CSV (the earlier RLE tools' included) into the store, metrics
 * recomputed, every value labelled `recorded`; optionally the same run's training log, on the
 * same clock. The inputs are read before the session is created, so a bad file leaves none.
 */
import type { EngineOptions } from '../core/device.js';
import { readTrainingLog } from '../ingest/training-log.js';
import { replayCsv } from '../replay/csv.js';
import type { ReadOptions, ReadStats } from '../store/csv-reader.js';
import { openInput } from '../store/files.js';
import { SessionStore, type StoredRow } from '../store/session-store.js';
import { packageVersion } from '../version.js';
import { storedThrottle } from '../analysis/throttle/from-sample.js';
import { RleError } from '../errors.js';
import { ReadingCheck } from '../analysis/reading-check.js';
import { readSteps, type ReadStepsOptions } from '../ingest/read-steps.js';
import type { ImportFormat } from '../ingest/types.js';

export interface ImportOptions {
  readonly db: string;
  readonly name: string | null;
  readonly engine: EngineOptions;
  readonly read: Omit<ReadOptions, 'source'>;
  /** The earlier tools' training log of the same run. */
  readonly training: string | null;
  /** Ctrl-C / SIGTERM: the import stops at the next batch and, like a failed one, leaves no session. */
  readonly signal?: AbortSignal;
}

export interface ImportResult {
  readonly id: string;
  readonly stats: ReadStats;
  readonly steps: number;
  /** The training log's steps without a time (left out) and steps going back in time (kept). */
  readonly training: { readonly untimed: number; readonly backwards: number } | null;
}

/** The import was stopped by a signal (nothing was kept). */
export class ImportInterrupted extends Error {
  constructor() {
    super('interrupted: nothing was imported');
  }
}

/** Relabels the columns the checks found not to be readings; returns what was relabelled, per device. */
function relabelColumns(store: SessionStore, id: string, checks: ReadonlyMap<string, ReadingCheck>): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [device, c] of checks) {
    const temp = c.tempVerdict(), power = c.powerVerdict();
    if (temp.verdict) store.relabel(id, device, 'temp', temp.verdict);
    if (power.verdict) store.relabel(id, device, 'power', power.verdict);
    if (temp.verdict || power.verdict) out[device] = { ...(temp.verdict ? { temp_c: temp.verdict } : {}), ...(power.verdict ? { power_w: power.verdict } : {}) };
  }
  return out;
}

export async function importSession(file: string, o: ImportOptions): Promise<ImportResult> {
  const training = o.training ? await readTrainingLog(o.training) : null;
  const input = await openInput(file);
  const store = SessionStore.open(o.db);
  let id: string | null = null;
  let last = 0;
  const checks = new Map<string, ReadingCheck>();
  try {
    const result = await replayCsv(input, { ...o.read, source: file }, o.engine, {
      onBatch: (rows, metrics, throttle) => {
        if (o.signal?.aborted) throw new ImportInterrupted();
        if (rows.length === 0) return;
        for (const r of rows) {
          let c = checks.get(r.device);
          if (!c) checks.set(r.device, (c = new ReadingCheck()));
          c.add(r.util_pct, r.temp_c, r.power_w);
        }
        id ??= store.createSession({
          kind: 'import',
          name: o.name ?? file,
          startedAt: rows[0]!.t,
          manifest: { tool: { name: 'rle', version: packageVersion() }, source: file, imported_at: new Date().toISOString(), engine: o.engine },
        });
        const stored: StoredRow[] = rows.map((r, i) => {
          last = Math.max(last, r.t);
          const { power_used_w: _unused, ...metric } = metrics[i]!;
          const { device, t, util_pct, temp_c, power_w, util_src, temp_src, power_src } = r;
          return { sample: { device, t, scheduled_t: null, util_pct, temp_c, power_w, util_src, temp_src, power_src }, metric, throttle: storedThrottle(throttle[i]) };
        });
        store.append(id, stored);
      },
    });
    if (id === null) throw new RleError('E_INPUT_FORMAT', `no valid rows to import (${result.stats.rows} read, ${result.stats.malformed.count} malformed)`, { file });
    const s = store.get(id);
    // Columns that are not readings (constants, power derived from utilization) are labelled so in the store.
    const labels = relabelColumns(store, id, checks);
    if (training) store.appendSteps(id, training.steps);
    store.updateManifest(id, {
      ...s.manifest,
      read: { rows: result.stats.rows, malformed: result.stats.malformed, bad_values: result.stats.badValues, impossible: result.stats.impossible, backwards: result.stats.backwards, labels },
      ...(training ? { training_log: { file: o.training, steps: training.steps.length, skipped_records: training.skipped, untimed_steps: training.untimed, backwards_steps: training.backwards } } : {}),
    });
    store.finish(id, 'completed', last);
    return { id, stats: result.stats, steps: training?.steps.length ?? 0, training: training && { untimed: training.untimed, backwards: training.backwards } };
  } catch (e) {
    // A failed import leaves no session behind (what was stored of it is removed).
    if (id !== null) store.remove(id);
    throw e;
  } finally {
    store.close();
  }
}

export interface StepsImport {
  /** The file or folder the steps came from, and its format. */
  readonly source: string;
  readonly format: ImportFormat;
  readonly steps: number;
  /** Steps outside the telemetry's span (their time has no sample to align with). */
  readonly outside: number;
  readonly warnings: string[];
}

/**
 * Training steps from a TensorBoard run, an MLflow run or a JSON-lines file into a stored
 * session recorded at the same time: aligned later by their own wall-clock times, never by
 * index; those outside the session's telemetry are counted.
 */
export async function importSteps(db: string, sessionId: string, path: string, o: ReadStepsOptions = {}): Promise<StepsImport> {
  const r = await readSteps(path, o);
  const store = SessionStore.open(db);
  try {
    const s = store.get(sessionId);
    const span = store.timeSpan(s.id);
    const outside = span ? r.steps.filter((x) => x.t < span[0] || x.t > span[1] + 1).length : r.steps.length;
    store.appendSteps(s.id, r.steps.map((x) => ({ ...x, t_source: 'own' as const })));
    store.updateManifest(s.id, { ...store.get(s.id).manifest, steps_import: { source: path, format: r.format, steps: r.steps.length, outside_telemetry: outside, fields: r.fields ?? null, warnings: r.warnings } });
    return { source: path, format: r.format, steps: r.steps.length, outside, warnings: r.warnings };
  } finally {
    store.close();
  }
}
