/**
 * Replays a session CSV through the engine: the one path by which a file's readings get their
 * metric (augment, analyze, import, compare, reports). Streams batch by batch; consumers may
 * await between batches, which is how output backpressure reaches the reader. Every value of a
 * file is `recorded` (or what an rle export's power_source column says), never `measured`.
 */
import type { Readable } from 'node:stream';
import type { EngineOptions } from '../core/device.js';
import { SessionEngine, type MetricRow } from '../core/engine.js';
import { SessionCsvReader, type ReadOptions, type SessionHeader, type SessionRow, type ReadStats } from '../store/csv-reader.js';

export interface ReplayHandlers {
  /** Called once, before the first batch. */
  onHeader?(header: SessionHeader): void | Promise<void>;
  onBatch(rows: readonly SessionRow[], metrics: readonly MetricRow[]): void | Promise<void>;
}

export interface ReplayResult {
  readonly header: SessionHeader;
  readonly stats: ReadStats;
  readonly engine: SessionEngine;
}

export async function replayCsv(
  input: Readable,
  read: ReadOptions,
  engineOptions: EngineOptions,
  handlers: ReplayHandlers,
): Promise<ReplayResult> {
  const reader = new SessionCsvReader(input, read);
  const engine = new SessionEngine(engineOptions);
  let announced = false;
  for await (const rows of reader.batches()) {
    if (!announced && reader.header) {
      announced = true;
      await handlers.onHeader?.(reader.header);
    }
    const metrics = rows.map((r) => engine.push(r.device, r));
    await handlers.onBatch(rows, metrics);
  }
  // A file with a header and no data rows still gets its header written.
  if (!announced && reader.header) await handlers.onHeader?.(reader.header);
  return { header: reader.header!, stats: reader.stats, engine };
}
