/**
 * Stored readings through the engine: the one replay path for stored sessions, used by
 * `analyze <id>`, report, compare, export and the dashboard. Metrics are recomputed from the
 * readings and their provenance (stored metrics are what the live engine said; the same
 * engine on the same readings and options says it again), with the rated powers the
 * recording resolved (GPU power limits) unless the caller overrides them. Incremental: a live
 * view calls next() again for the rows stored since.
 */
import type { EngineOptions } from '../core/device.js';
import { SessionEngine, type MetricRow } from '../core/engine.js';
import type { SampleRecord, SessionInfo, SessionStore } from '../store/session-store.js';

export interface ReplayedRow {
  /** The sample's id in the store (pass the last one back to continue). */
  readonly id: number;
  readonly sample: SampleRecord;
  readonly metric: MetricRow;
}

/** The rated powers a recording resolved (GPU power limits) are part of its manifest. */
export function ratedFromManifest(manifest: Record<string, unknown>): Record<string, number> {
  const engine = manifest.engine as { rated?: Record<string, number> } | undefined;
  return engine?.rated ?? {};
}

export class StoredReplay {
  readonly engine: SessionEngine;
  private lastId = 0;

  constructor(
    private readonly store: SessionStore,
    readonly info: SessionInfo,
    engineOptions: EngineOptions = {},
  ) {
    this.engine = new SessionEngine({ ...engineOptions, rated: { ...ratedFromManifest(info.manifest), ...engineOptions.rated } });
  }

  /** The rows stored after the last one replayed (all of them the first time), in recording order. */
  *next(): Generator<ReplayedRow> {
    for (const { id, sample } of this.store.samplesAfter(this.info.id, this.lastId)) {
      this.lastId = id;
      yield { id, sample, metric: this.engine.push(sample.device, sample) };
    }
  }

  /** Id of the last row replayed (0 before any). */
  get last(): number {
    return this.lastId;
  }
}
