/**
 * One tick stream, many sinks (OpenTelemetry's exporters: export, forceFlush, shutdown). The
 * recorder writes every tick, step and event to a SinkSet, which keeps going whatever a sink
 * does: an optional sink that throws is reported once and dropped; a required one (the
 * session store, which must not lose data) is recorded as the session's failure for the
 * recorder to act on. Nothing ever throws out of a write.
 */
import type { TickReport } from '../sampler/sampler.js';
import type { EndStatus, StepRecord, StoreEvent } from '../store/session-store.js';

export interface Sink {
  readonly name: string;
  /** A required sink's failure fails the session; an optional sink's failure drops that sink. */
  readonly required?: boolean;
  /** One tick (may buffer). */
  write(tick: TickReport): void | Promise<void>;
  /** A training step, stamped on the session clock. */
  step?(s: StepRecord): void | Promise<void>;
  /** A session event that is not part of a tick (a marker, an interval found later). */
  event?(e: StoreEvent): void | Promise<void>;
  /** Durable after this. */
  flush(): Promise<void>;
  /** The session is over; `end` is its status. */
  close(end: EndStatus): Promise<void>;
}

/** A required sink failed: what, and why. */
export interface SinkFailure {
  readonly sink: string;
  readonly message: string;
}

export class SinkSet {
  private active: Sink[];
  /** Optional sinks dropped after an error, with that error. */
  readonly dropped: SinkFailure[] = [];
  /** The first failure of a required sink, if any. */
  failure: SinkFailure | null = null;

  /** @param onDrop told once per dropped optional sink (and once for a required failure) */
  constructor(
    sinks: readonly Sink[],
    private readonly onDrop: (f: SinkFailure, required: boolean) => void,
  ) {
    this.active = [...sinks];
  }

  /** Adds a sink (before or during a session). */
  add(s: Sink): void {
    this.active = [...this.active, s];
  }

  get names(): string[] {
    return this.active.map((s) => s.name);
  }

  write(tick: TickReport): Promise<void> {
    return this.each((s) => s.write(tick));
  }

  step(st: StepRecord): Promise<void> {
    return this.each((s) => s.step?.(st));
  }

  event(e: StoreEvent): Promise<void> {
    return this.each((s) => s.event?.(e));
  }

  flush(): Promise<void> {
    return this.each((s) => s.flush());
  }

  /** Closes every sink still open, the failed required one included (it may still finish its session). */
  async close(end: EndStatus): Promise<void> {
    const all = this.active;
    this.active = [];
    for (const s of all) {
      try {
        await s.close(end);
      } catch (e) {
        this.fail(s, e);
      }
    }
  }

  /** Most sinks are synchronous: only a promise a sink returns is awaited (no microtask per sink per tick). */
  private async each(f: (s: Sink) => void | Promise<void>): Promise<void> {
    // add() and fail() replace `active` rather than editing it: this loop sees the sinks of its tick.
    const active = this.active;
    for (let i = 0; i < active.length; i++) {
      const s = active[i]!;
      try {
        const p = f(s);
        if (p) await p;
      } catch (e) {
        this.fail(s, e);
      }
    }
  }

  private fail(s: Sink, e: unknown): void {
    const f = { sink: s.name, message: (e as Error)?.message ?? String(e) };
    if (s.required) {
      if (this.failure) return;
      this.failure = f;
      this.onDrop(f, true);
      return; // kept: close() still tries to record the session's end
    }
    this.active = this.active.filter((x) => x !== s);
    this.dropped.push(f);
    this.onDrop(f, false);
  }
}
