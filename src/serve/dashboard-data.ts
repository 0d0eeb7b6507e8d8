/**
 * What the dashboard's pages fetch: session listings, and a session's rows as uPlot columns per
 * device (`t` in Unix s, one array per series, null for gaps), replayed through the one engine
 * (src/replay/stored.ts), incrementally for live views. Missing readings stay null, never 0.
 */
import { findSpikes } from '../analysis/coupling/spikes.js';
import { resolveDeviceParams } from '../core/device.js';
import { isReading } from '../core/provenance.js';
import { StoredReplay } from '../replay/stored.js';
import type { SessionStore, StepRecord, StoreEvent } from '../store/session-store.js';

export interface DeviceColumns {
  t: number[];
  util_pct: (number | null)[];
  temp_c: (number | null)[];
  /** Power readings; null where there was none (the metric then estimated it). */
  power_w: (number | null)[];
  /** The power the metric used where it was not a reading (estimated from utilization), else null. */
  power_estimated_w: (number | null)[];
  rle_smoothed: number[];
  rolling_peak: number[];
  collapse: number[];
  E_th: number[];
  E_pw: number[];
}

export interface SessionDelta {
  session: { id: string; name: string | null; kind: string; status: string; started_at: number; ended_at: number | null };
  /** Last sample id included. */
  last_id: number;
  devices: Record<string, DeviceColumns>;
  steps: { step: number[]; t: number[]; loss: (number | null)[]; grad_norm: (number | null)[] };
  /** Stored events (collapse edges, throttle intervals…) since the previous delta. */
  events: StoreEvent[];
}

export function sessionList(store: SessionStore): Record<string, unknown>[] {
  const counts = store.collapseCounts();
  return store.list().map((s) => {
    const c = counts.get(s.id);
    return {
      id: s.id,
      name: s.name,
      kind: s.kind,
      status: s.status,
      started_at: s.started_at,
      duration_s: s.ended_at !== null ? s.ended_at - s.started_at : null,
      devices: s.devices,
      samples: s.samples,
      collapse_rate: c && c.samples > 0 ? c.collapse / c.samples : null,
    };
  });
}

function emptyColumns(): DeviceColumns {
  return { t: [], util_pct: [], temp_c: [], power_w: [], power_estimated_w: [], rle_smoothed: [], rolling_peak: [], collapse: [], E_th: [], E_pw: [] };
}

/** A live view of one session: each delta() holds what was stored since the previous one. */
export class SessionFeed {
  private readonly replay: StoredReplay;
  private lastStep: number;
  private lastEventT = -Infinity;

  /** @param afterId rows up to this id were already shown (they are replayed, not sent); @param afterStep likewise for steps */
  constructor(
    private readonly store: SessionStore,
    id: string,
    private readonly afterId = 0,
    afterStep = -1,
  ) {
    this.replay = new StoredReplay(store, store.get(id));
    this.lastStep = afterStep;
  }

  delta(): SessionDelta {
    const info = this.store.get(this.replay.info.id);
    const rated = this.replay.info.manifest.engine as { rated?: Record<string, number> } | undefined;
    const devices: Record<string, DeviceColumns> = {};
    for (const { id, sample: s, metric: m } of this.replay.next()) {
      if (id <= this.afterId) continue;
      const d = (devices[s.device] ??= emptyColumns());
      const reading = isReading(m.power_source);
      d.t.push(s.t);
      d.util_pct.push(s.util_pct);
      d.temp_c.push(isReading(s.temp_src) ? s.temp_c : null);
      d.power_w.push(reading ? s.power_w : null);
      d.power_estimated_w.push(reading ? null : m.a_load * resolveDeviceParams(s.device, { rated: rated?.rated }).ratedPowerW);
      d.rle_smoothed.push(m.rle_smoothed);
      d.rolling_peak.push(m.rolling_peak);
      d.collapse.push(m.collapse);
      d.E_th.push(m.E_th);
      d.E_pw.push(m.E_pw);
    }
    const steps = this.store.steps(info.id).filter((x: StepRecord) => x.step > this.lastStep);
    if (steps.length > 0) this.lastStep = steps.at(-1)!.step;
    const events = this.store.events(info.id).filter((e) => e.t > this.lastEventT);
    if (events.length > 0) this.lastEventT = events.at(-1)!.t;
    return {
      session: { id: info.id, name: info.name, kind: info.kind, status: info.status, started_at: info.started_at, ended_at: info.ended_at },
      last_id: Math.max(this.replay.last, this.afterId),
      devices,
      steps: { step: steps.map((x) => x.step), t: steps.map((x) => x.t), loss: steps.map((x) => x.loss), grad_norm: steps.map((x) => x.grad_norm) },
      events,
    };
  }
}

/** Spike steps of a whole run (robust rule), for the markers. */
export function spikeSteps(store: SessionStore, id: string): number[] {
  const steps = store.steps(id).filter((s) => s.grad_norm !== null && Number.isFinite(s.grad_norm));
  return findSpikes(steps.map((s) => s.grad_norm!), 'robust').map((i) => steps[i]!.step);
}
