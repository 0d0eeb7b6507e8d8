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
import { SessionThrottle } from '../analysis/throttle/from-sample.js';
import type { ThrottleSample } from '../analysis/throttle/types.js';
import type { SampleRecord, SessionInfo, SessionStore } from '../store/session-store.js';

export interface ReplayedRow {
  /** The sample's id in the store (pass the last one back to continue). */
  readonly id: number;
  readonly sample: SampleRecord;
  readonly metric: MetricRow;
  /** The throttle detector's answer, from the same readings. */
  readonly throttle: ThrottleSample;
}

/** The limits the user gave when the session was recorded (`--limit`), by device or class. */
function userLimits(manifest: Record<string, unknown>): Record<string, number> {
  const limits = manifest.limits as Record<string, { limit_c: number | null; limit_source: string | null }> | undefined;
  return Object.fromEntries(Object.entries(limits ?? {}).flatMap(([d, l]) => (l.limit_source === '--limit' && l.limit_c !== null ? [[d, l.limit_c]] : [])));
}

export class StoredReplay {
  readonly engine: SessionEngine;
  private readonly throttle: SessionThrottle;
  private lastId = 0;

  constructor(
    private readonly store: SessionStore,
    readonly info: SessionInfo,
    engineOptions: EngineOptions = {},
  ) {
    const recorded = info.manifest.engine as { rated?: Record<string, number>; limit?: Record<string, number> } | undefined;
    this.engine = new SessionEngine({ ...engineOptions, rated: { ...recorded?.rated, ...engineOptions.rated }, limit: { ...recorded?.limit, ...engineOptions.limit } });
    // The throttle detector takes the user's limits only (a device's own limit is in its readings).
    this.userLimits = { ...userLimits(info.manifest), ...engineOptions.limit };
    this.throttle = new SessionThrottle(this.userLimits);
  }

  /** The user's `--limit`s in force, by device or class (recorded ones, then the caller's). */
  readonly userLimits: Readonly<Record<string, number>>;

  /** The rows stored after the last one replayed (all of them the first time), in recording order. */
  *next(): Generator<ReplayedRow> {
    for (const { id, sample } of this.store.samplesAfter(this.info.id, this.lastId)) {
      this.lastId = id;
      yield { id, sample, metric: this.engine.push(sample.device, sample), throttle: this.throttle.push(sample).answer };
    }
  }

  /** Id of the last row replayed (0 before any). */
  get last(): number {
    return this.lastId;
  }
}
