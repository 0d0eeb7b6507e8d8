/**
 * Replays a session CSV through the engine: the one path by which a file's readings get their
 * metric (augment, analyze, import, compare, reports). Streams batch by batch; consumers may
 * await between batches, which is how output backpressure reaches the reader. Every value of a
 * file is `recorded` (or what an rle export's power_source column says), never `measured`.
 */
import type { Readable } from 'node:stream';
import type { EngineOptions } from '../core/device.js';
import { SessionEngine, type MetricRow } from '../core/engine.js';
import type { SessionThrottle } from '../analysis/throttle/from-sample.js';
import type { ThrottleSample } from '../analysis/throttle/types.js';
import { SessionCsvReader, type ReadOptions, type SessionHeader, type SessionRow, type ReadStats } from '../store/csv-reader.js';

export interface ReplayHandlers {
  /** Called once, before the first batch. */
  onHeader?(header: SessionHeader): void | Promise<void>;
  /** Rows of one batch with their metrics and the throttle detector's answers, index for index. */
  onBatch(rows: readonly SessionRow[], metrics: readonly MetricRow[], throttle: readonly ThrottleSample[]): void | Promise<void>;
}

export interface ReplayResult {
  readonly header: SessionHeader;
  readonly stats: ReadStats;
  readonly engine: SessionEngine;
}

/** Columns (reading ids) that hold throttle evidence. */
const EVIDENCE = /\.(clock_ratio|temp_limit|throttle|thermal_throttle_count|power_limit_count|throttle_time_ms)$/;
const NO_EVIDENCE: ThrottleSample = { throttled: null, causes: [], inferred: false, reason: 'no throttle evidence in this file' };

/**
 * Whether a file's extra columns carry throttle evidence. Only then does the throttle
 * detector run, and only then is it loaded (seven modules: most files have none of these columns).
 */
export function hasThrottleEvidence(extraColumns: readonly string[]): boolean {
  return extraColumns.some((c) => EVIDENCE.test(c));
}

/** Numeric extra columns by name (what the throttle detector looks up by reading id). */
export function columnsAsExtra(cols: readonly string[], values: readonly string[]): Record<string, number | null> | null {
  if (cols.length === 0) return null;
  const out: Record<string, number | null> = {};
  cols.forEach((c, i) => {
    const v = values[i];
    out[c] = v === undefined || v === '' ? null : Number(v);
  });
  return out;
}

export async function replayCsv(
  input: Readable,
  read: ReadOptions,
  engineOptions: EngineOptions,
  handlers: ReplayHandlers,
): Promise<ReplayResult> {
  const reader = new SessionCsvReader(input, read);
  const engine = new SessionEngine(engineOptions);
  let throttle: SessionThrottle | null = null;
  let announced = false;
  for await (const rows of reader.batches()) {
    if (!announced && reader.header) {
      announced = true;
      // An rle export carries the throttle evidence as columns named by reading id; without
      // any, no sample can be judged (no counters, reasons or clock ratio): cannot tell.
      if (hasThrottleEvidence(reader.header.extraColumns)) {
        const { SessionThrottle } = await import('../analysis/throttle/from-sample.js');
        throttle = new SessionThrottle(engineOptions.limit);
      }
      await handlers.onHeader?.(reader.header);
    }
    const metrics = rows.map((r) => engine.push(r.device, r));
    const cols = reader.header!.extraColumns;
    const t = throttle;
    const judged = t ? rows.map((r) => t.push({ ...r, extra: columnsAsExtra(cols, r.extra) }).answer) : rows.map(() => NO_EVIDENCE);
    await handlers.onBatch(rows, metrics, judged);
  }
  // A file with a header and no data rows still gets its header written.
  if (!announced && reader.header) await handlers.onHeader?.(reader.header);
  return { header: reader.header!, stats: reader.stats, engine };
}
