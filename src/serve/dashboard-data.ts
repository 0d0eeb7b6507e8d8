/**
 * What the dashboard's pages fetch: session listings, and a session's stored rows as columns
 * per device (the series shapes of the static report), from a sample id on, for live views.
 * Missing readings stay null (gaps in the charts), never 0.
 */
import { findSpikes } from '../analysis/coupling/spikes.js';
import { resolveDeviceParams } from '../core/device.js';
import type { SessionStore, StepRecord } from '../store/session-store.js';

export interface DeviceColumns {
  t: number[];
  util_pct: (number | null)[];
  temp_c: (number | null)[];
  /** Measured power; null where it was missing (the metric then estimated it). */
  power_w: (number | null)[];
  /** The power the metric used where it was estimated from utilization, else null. */
  power_estimated_w: (number | null)[];
  rle_smoothed: number[];
  rolling_peak: number[];
  collapse: number[];
  E_th: number[];
  E_pw: number[];
}

export interface SessionDelta {
  session: { id: string; name: string | null; kind: string; status: string; started_at: number; ended_at: number | null };
  /** Last sample id included: pass it back as `after`. */
  last_id: number;
  devices: Record<string, DeviceColumns>;
  steps: { step: number[]; t: number[]; loss: (number | null)[]; grad_norm: (number | null)[] };
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

export function sessionDelta(store: SessionStore, id: string, afterId: number, afterStep: number): SessionDelta {
  const info = store.get(id);
  const devices: Record<string, DeviceColumns> = {};
  let last = afterId;
  const rated = (info.manifest.engine as { rated?: Record<string, number> } | undefined)?.rated ?? {};
  for (const { id: sid, row } of store.rowsAfter(info.id, afterId)) {
    const s = row.sample, m = row.metric;
    const d = (devices[s.device] ??= { t: [], util_pct: [], temp_c: [], power_w: [], power_estimated_w: [], rle_smoothed: [], rolling_peak: [], collapse: [], E_th: [], E_pw: [] });
    d.t.push(s.t);
    d.util_pct.push(s.util_pct);
    d.temp_c.push(s.temp_c);
    const estimated = m.power_source === 'estimated';
    d.power_w.push(estimated ? null : s.power_w);
    d.power_estimated_w.push(estimated ? m.a_load * resolveDeviceParams(s.device, { rated }).ratedPowerW : null);
    d.rle_smoothed.push(m.rle_smoothed);
    d.rolling_peak.push(m.rolling_peak);
    d.collapse.push(m.collapse);
    d.E_th.push(m.E_th);
    d.E_pw.push(m.E_pw);
    last = sid;
  }
  const steps = store.steps(info.id).filter((x: StepRecord) => x.step > afterStep);
  return {
    session: { id: info.id, name: info.name, kind: info.kind, status: info.status, started_at: info.started_at, ended_at: info.ended_at },
    last_id: last,
    devices,
    steps: { step: steps.map((x) => x.step), t: steps.map((x) => x.t), loss: steps.map((x) => x.loss), grad_norm: steps.map((x) => x.grad_norm) },
  };
}

/** Spike steps of a whole run (robust rule), for the markers. */
export function spikeSteps(store: SessionStore, id: string): number[] {
  const steps = store.steps(id).filter((s) => s.grad_norm !== null && Number.isFinite(s.grad_norm));
  return findSpikes(steps.map((s) => s.grad_norm!), 'robust').map((i) => steps[i]!.step);
}
