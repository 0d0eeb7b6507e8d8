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

export async function importSession(file: string, o: ImportOptions): Promise<ImportResult> {
  const training = o.training ? await readTrainingLog(o.training) : null;
  const input = await openInput(file);
  const store = SessionStore.open(o.db);
  let id: string | null = null;
  let last = 0;
  try {
    const result = await replayCsv(input, { ...o.read, source: file }, o.engine, {
      onBatch: (rows, metrics, throttle) => {
        if (o.signal?.aborted) throw new ImportInterrupted();
        if (rows.length === 0) return;
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
    if (training) store.appendSteps(id, training.steps);
    store.updateManifest(id, {
      ...s.manifest,
      read: { rows: result.stats.rows, malformed: result.stats.malformed, bad_values: result.stats.badValues, impossible: result.stats.impossible, backwards: result.stats.backwards },
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
