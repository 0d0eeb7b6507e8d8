/**
 * The session store as a sink, the one that must not lose data (required). Ticks, steps and
 * events are committed together at most COMMIT_INTERVAL_MS apart: at 10 Hz one transaction
 * per 5 ticks instead of one per tick, and `kill -9` still loses well under a second.
 */
import type { TickReport } from '../sampler/sampler.js';
import { storedThrottle } from '../analysis/throttle/from-sample.js';
import type { EndStatus, SessionStore, StepRecord, StoredRow, StoreEvent } from '../store/session-store.js';
import type { Sink } from './sink.js';

/** Session time between commits, ms. */
export const COMMIT_INTERVAL_MS = 500;

export class StoreSink implements Sink {
  readonly name = 'store';
  readonly required = true;
  private rows: StoredRow[] = [];
  private events: StoreEvent[] = [];
  private steps: StepRecord[] = [];
  private lastCommitS = -Infinity;

  /** @param nowS the session clock, Unix s (for the end time) */
  constructor(
    readonly store: SessionStore,
    readonly sessionId: string,
    private readonly nowS: () => number,
  ) {}

  write(r: TickReport): void {
    for (let i = 0; i < r.samples.length; i++) this.rows.push({ sample: r.samples[i]!, metric: r.metrics[i]!, throttle: storedThrottle(r.throttle[i]) });
    for (let i = 0; i < r.events.length; i++) this.events.push(r.events[i]!);
    this.maybeCommit(r.tick.actualS);
  }

  step(s: StepRecord): void {
    this.steps.push(s);
    this.maybeCommit(s.t);
  }

  event(e: StoreEvent): void {
    this.events.push(e);
  }

  private maybeCommit(t: number): void {
    if ((t - this.lastCommitS) * 1000 >= COMMIT_INTERVAL_MS - 1) this.commit(t);
  }

  private commit(t: number): void {
    this.lastCommitS = t;
    const rows = this.rows, events = this.events, steps = this.steps;
    if (rows.length === 0 && events.length === 0 && steps.length === 0) return;
    this.rows = [];
    this.events = [];
    this.steps = [];
    this.store.append(this.sessionId, rows, events);
    if (steps.length > 0) this.store.appendSteps(this.sessionId, steps);
  }

  flush(): Promise<void> {
    this.commit(this.nowS());
    return Promise.resolve();
  }

  /** Merges `patch` into the session's manifest (top-level keys replaced). */
  patchManifest(patch: Record<string, unknown>): void {
    const m = this.store.get(this.sessionId).manifest;
    this.store.updateManifest(this.sessionId, { ...m, ...patch });
  }

  close(end: EndStatus): Promise<void> {
    try {
      this.commit(this.nowS());
    } finally {
      // Even when the last commit failed, the session must not stay `running`.
      this.store.finish(this.sessionId, end, this.nowS());
    }
    return Promise.resolve();
  }
}
