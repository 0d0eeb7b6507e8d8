/**
 * What the dashboard's pages fetch: session listings, and a session's rows as uPlot columns per
 * device (`t` in Unix s, one array per series, null for gaps), replayed through the one engine
 * and throttle detector (src/replay/stored.ts), incrementally for live views. Missing readings
 * stay null, never 0; a series missing from the whole session says why (`missing`), and the
 * notes `rle analyze` prints come along with every delta.
 */
import { findSpikes } from '../analysis/coupling/spikes.js';
import { SummaryBuilder } from '../analysis/summary.js';
import { resolveDeviceParams } from '../core/device.js';
import { isReading, type Provenance } from '../core/provenance.js';
import { StoredReplay } from '../replay/stored.js';
import { throttleText } from '../report/text-summary.js';
import { throttleDetail } from '../analysis/throttle/from-sample.js';
import type { SessionInfo, SessionStore, StepRecord, StoreEvent } from '../store/session-store.js';

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
  /** Null on a sample without a temperature reading: t_sustain_s is then its cap and E_th only the utilization's stability. */
  E_th: (number | null)[];
  E_pw: number[];
  /** The throttle detector's answer: 1 throttled, 0 not, null cannot tell. */
  throttled: (0 | 1 | null)[];
  /** Where throttled: its causes as a throttle_start event says them (`thermal;power`, ` (inferred)`), else null. */
  throttle_causes: (string | null)[];
}

/** A device over the whole session so far (not only this delta's rows). */
export interface DeviceInfo {
  samples: number;
  /** Per chart series that has no reading in the session: "not measured (why)". */
  missing: Partial<Record<'util_pct' | 'temp_c' | 'power_w' | 'E_th' | 'collapse', string>>;
  /** "throttling: …" as `rle analyze` says it (how long, why, or that it cannot tell). */
  throttle: string;
  /** Whether the detector ever answered (0 or 1) for this device. */
  throttle_known: boolean;
}

export interface SessionSteps {
  step: number[];
  t: number[];
  /** The step's own start (Unix s) when the trainer said, else null. */
  t_start: (number | null)[];
  /** Seconds the step took: t − t_start, else t − the previous step's t; null when unknown (first step, a burst of buffered lines). */
  duration_s: (number | null)[];
  loss: (number | null)[];
  grad_norm: (number | null)[];
}

export interface SessionDelta {
  session: { id: string; name: string | null; kind: string; status: string; started_at: number; ended_at: number | null };
  /** Last sample id included. */
  last_id: number;
  devices: Record<string, DeviceColumns>;
  /** Every device seen so far, whole session. */
  info: Record<string, DeviceInfo>;
  /** What the numbers cannot say (`rle analyze`'s notes), whole session so far. */
  notes: string[];
  steps: SessionSteps;
  /** Stored events (collapse edges, throttle intervals…) since the previous delta. */
  events: StoreEvent[];
}

type Series = 'util_pct' | 'temp_c' | 'power_w';
const SENSOR_KIND: Record<Series, string> = { util_pct: 'util', temp_c: 'temp', power_w: 'power' };
const LABEL: Record<Series, string> = { util_pct: 'utilization', temp_c: 'temperature', power_w: 'power' };

/** Why the recording had no `kind` reading for `device`: the reasons its sensors gave at start (manifest), if any. */
function sensorWhy(manifest: Record<string, unknown>, device: string, kind: string): string | null {
  const sensors = (manifest.sensors ?? []) as { id?: string; device?: string; kind?: string; status?: string; reason?: string | null }[];
  const own = sensors.filter((s) => s.id === `${device}.${kind}` && s.status !== 'ok' && s.reason);
  // A GPU that never answered: the class's reason (nvidia-smi missing, disabled…).
  const cls = own.length > 0 ? [] : sensors.filter((s) => device.startsWith('gpu') && s.id === 'gpu.present' && s.status !== 'ok' && s.reason);
  const reasons = [...new Set([...own, ...cls].map((s) => s.reason!))];
  return reasons.length > 0 ? reasons.join('; ') : null;
}

/** Per device: how many samples had a reading of each series, and how many had a value that is not one. */
class Coverage {
  samples = 0;
  readonly readings: Record<Series, number> = { util_pct: 0, temp_c: 0, power_w: 0 };
  readonly nonReadings: Record<Series, Map<string, number>> = { util_pct: new Map(), temp_c: new Map(), power_w: new Map() };
  answered = 0;

  missing(manifest: Record<string, unknown>, device: string): DeviceInfo['missing'] {
    const out: DeviceInfo['missing'] = {};
    for (const k of Object.keys(this.readings) as Series[]) {
      if (this.readings[k] > 0 || this.samples === 0) continue;
      const marked = [...this.nonReadings[k]].map(([src, n]) => `${n} ${src}`);
      const why = marked.length > 0 ? `values marked ${marked.join(', ')}: not readings` : (sensorWhy(manifest, device, SENSOR_KIND[k]) ?? `no ${LABEL[k]} reading in this session`);
      out[k] = `not measured (${why})`;
    }
    if (out.temp_c) {
      out.E_th = 'not measured (no temperature: E_th needs one; without it t_sustain_s sits at its cap)';
      out.collapse = 'cannot be detected (no temperature)';
    }
    return out;
  }
}

interface DeviceCounts {
  samples: number;
  collapse: number;
  /** Samples with a temperature reading: without any, no collapse can be detected. */
  temp: number;
}

/**
 * The session list, kept up to date incrementally: each call reads only the samples stored
 * since the previous one (by session, through the samples_by_session index), so a list page
 * that polls costs little however large the store is (a whole-store count takes seconds at
 * millions of samples, and blocks every live stream meanwhile).
 */
export class SessionList {
  private readonly counts = new Map<string, { lastId: number; devices: Map<string, DeviceCounts> }>();

  constructor(private readonly store: SessionStore) {}

  rows(): Record<string, unknown>[] {
    const db = this.store.db;
    const sessions = db.prepare('SELECT id, name, kind, status, started_at, ended_at FROM sessions ORDER BY started_at, id').all() as Pick<SessionInfo, 'id' | 'name' | 'kind' | 'status' | 'started_at' | 'ended_at'>[];
    const since = db.prepare(
      `SELECT s.device AS device, COUNT(*) AS samples, COALESCE(SUM(m.collapse), 0) AS collapse, MAX(s.id) AS last,
              SUM(CASE WHEN s.temp_c IS NOT NULL AND s.temp_src IN ('measured', 'recorded') THEN 1 ELSE 0 END) AS temp
       FROM samples s JOIN metrics m ON m.sample_id = s.id WHERE s.session_id = ? AND s.id > ? GROUP BY s.device`,
    );
    const seen = new Set<string>();
    const out = sessions.map((s) => {
      seen.add(s.id);
      let c = this.counts.get(s.id);
      if (!c) this.counts.set(s.id, (c = { lastId: 0, devices: new Map() }));
      for (const r of since.all(s.id, c.lastId) as (DeviceCounts & { device: string; last: number })[]) {
        const d = c.devices.get(r.device) ?? { samples: 0, collapse: 0, temp: 0 };
        c.devices.set(r.device, { samples: d.samples + r.samples, collapse: d.collapse + r.collapse, temp: d.temp + r.temp });
        c.lastId = Math.max(c.lastId, r.last);
      }
      const devs = [...c.devices].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      // No temperature, no collapse detection: such a device has no rate (not 0 %).
      const collapse = devs.map(([device, d]) => ({ device, rate: d.temp > 0 ? d.collapse / d.samples : null, why: d.temp > 0 ? null : 'no temperature' }));
      const judged = devs.filter(([, d]) => d.temp > 0).map(([, d]) => d);
      const n = judged.reduce((a, d) => a + d.samples, 0);
      return {
        id: s.id,
        name: s.name,
        kind: s.kind,
        status: s.status,
        started_at: s.started_at,
        duration_s: s.ended_at !== null ? s.ended_at - s.started_at : null,
        devices: devs.map(([device]) => device),
        samples: devs.reduce((a, [, d]) => a + d.samples, 0),
        /** Over the devices that had a temperature; null when none had. */
        collapse_rate: n > 0 ? judged.reduce((a, d) => a + d.collapse, 0) / n : null,
        collapse,
      };
    });
    for (const id of this.counts.keys()) if (!seen.has(id)) this.counts.delete(id); // removed sessions
    return out;
  }
}

/** The session list once (tests, one-off callers). */
export function sessionList(store: SessionStore): Record<string, unknown>[] {
  return new SessionList(store).rows();
}

function emptyColumns(): DeviceColumns {
  return { t: [], util_pct: [], temp_c: [], power_w: [], power_estimated_w: [], rle_smoothed: [], rolling_peak: [], collapse: [], E_th: [], E_pw: [], throttled: [], throttle_causes: [] };
}

/** Step durations over all of a session's steps (the previous step may be in an earlier delta). */
function stepDurations(steps: readonly StepRecord[]): (number | null)[] {
  return steps.map((s, i) => {
    if (s.t_start !== null && s.t_start !== undefined) return s.t - s.t_start;
    const prev = steps[i - 1];
    // A burst's times say when its lines arrived, not when the steps ran.
    if (!prev || prev.step !== s.step - 1 || s.t_source === 'burst' || prev.t_source === 'burst') return null;
    return s.t - prev.t;
  });
}

/** Keeps the rows of `d` from `fromT` on. */
function trimColumns(d: DeviceColumns, fromT: number): void {
  const k = d.t.findIndex((t) => t >= fromT);
  const cut = k < 0 ? d.t.length : k;
  if (cut === 0) return;
  for (const key of Object.keys(d) as (keyof DeviceColumns)[]) (d[key] as unknown[]).splice(0, cut);
}

/** A live view of one session: each delta() holds what was stored since the previous one. */
export class SessionFeed {
  private readonly replay: StoredReplay;
  private readonly summary: SummaryBuilder;
  private readonly coverage = new Map<string, Coverage>();
  private lastStep: number;
  private lastEventT = -Infinity;
  private readonly info: SessionInfo;

  /**
   * @param afterId rows up to this id were already shown (they are replayed, not sent); @param afterStep likewise for steps
   * @param liveWindowS while the session runs, the first delta holds only its last this many seconds (a live view's window)
   */
  constructor(
    private readonly store: SessionStore,
    id: string,
    private readonly afterId = 0,
    afterStep = -1,
    private liveWindowS: number | null = null,
  ) {
    this.info = store.get(id);
    this.replay = new StoredReplay(store, this.info);
    const hz = (this.info.manifest.sampling as { hz?: number } | undefined)?.hz;
    this.summary = new SummaryBuilder(hz && hz > 0 ? 1 / hz : 1);
    this.lastStep = afterStep;
  }

  delta(): SessionDelta {
    const info = this.store.get(this.info.id);
    const rated = this.info.manifest.engine as { rated?: Record<string, number> } | undefined;
    const devices: Record<string, DeviceColumns> = {};
    for (const { id, sample: s, metric: m, throttle: th } of this.replay.next()) {
      this.summary.add(s.device, s, m, th);
      let cov = this.coverage.get(s.device);
      if (!cov) this.coverage.set(s.device, (cov = new Coverage()));
      cov.samples++;
      if (th.throttled !== null) cov.answered++;
      const hasTemp = isReading(s.temp_src) && s.temp_c !== null;
      const reading = isReading(m.power_source);
      const srcs: Record<Series, [number | null, Provenance | null]> = { util_pct: [s.util_pct, s.util_src ?? 'measured'], temp_c: [s.temp_c, s.temp_src], power_w: [s.power_w, m.power_source] };
      for (const k of Object.keys(srcs) as Series[]) {
        const [v, src] = srcs[k];
        if (v === null) continue;
        if (isReading(src)) cov.readings[k]++;
        else if (src !== 'estimated') cov.nonReadings[k].set(src ?? 'unknown', (cov.nonReadings[k].get(src ?? 'unknown') ?? 0) + 1);
      }
      if (id <= this.afterId) continue;
      const d = (devices[s.device] ??= emptyColumns());
      d.t.push(s.t);
      d.util_pct.push(s.util_pct);
      d.temp_c.push(hasTemp ? s.temp_c : null);
      d.power_w.push(reading ? s.power_w : null);
      d.power_estimated_w.push(reading ? null : m.a_load * resolveDeviceParams(s.device, { rated: rated?.rated }).ratedPowerW);
      d.rle_smoothed.push(m.rle_smoothed);
      d.rolling_peak.push(m.rolling_peak);
      d.collapse.push(m.collapse);
      d.E_th.push(hasTemp ? m.E_th : null);
      d.E_pw.push(m.E_pw);
      d.throttled.push(th.throttled);
      d.throttle_causes.push(th.throttled === 1 ? throttleDetail(th) : null);
    }
    const all = this.store.steps(info.id);
    const durations = stepDurations(all);
    let from = all.findIndex((x) => x.step > this.lastStep);
    if (from < 0) from = all.length;
    const events = this.store.events(info.id).filter((e) => e.t > this.lastEventT);
    if (events.length > 0) this.lastEventT = events.at(-1)!.t;
    if (this.liveWindowS !== null && info.status === 'running') {
      const lastT = Math.max(-Infinity, ...Object.values(devices).map((d) => d.t.at(-1) ?? -Infinity), all.at(-1)?.t ?? -Infinity);
      const fromT = lastT - this.liveWindowS;
      for (const d of Object.values(devices)) trimColumns(d, fromT);
      while (from < all.length && all[from]!.t < fromT) from++;
    }
    this.liveWindowS = null; // the window is for the first delta; later ones hold only new rows
    const steps = all.slice(from);
    const dur = durations.slice(from);
    if (steps.length > 0) this.lastStep = steps.at(-1)!.step;
    const summary = this.summary.result(info.id, 0, 0);
    const devInfo: Record<string, DeviceInfo> = {};
    for (const [name, cov] of this.coverage) {
      const th = summary.devices[name]?.throttle;
      devInfo[name] = { samples: cov.samples, missing: cov.missing(this.info.manifest, name), throttle: `throttling: ${th ? throttleText(th) : 'cannot tell (no evidence)'}`, throttle_known: cov.answered > 0 };
    }
    return {
      session: { id: info.id, name: info.name, kind: info.kind, status: info.status, started_at: info.started_at, ended_at: info.ended_at },
      last_id: Math.max(this.replay.last, this.afterId),
      devices,
      info: devInfo,
      notes: this.summary.notes(),
      steps: { step: steps.map((x) => x.step), t: steps.map((x) => x.t), t_start: steps.map((x) => x.t_start ?? null), duration_s: dur, loss: steps.map((x) => x.loss), grad_norm: steps.map((x) => x.grad_norm) },
      events,
    };
  }
}

/** Spike steps of a whole run (robust rule), for the markers. */
export function spikeSteps(store: SessionStore, id: string): number[] {
  const steps = store.steps(id).filter((s) => s.grad_norm !== null && Number.isFinite(s.grad_norm));
  return findSpikes(steps.map((s) => s.grad_norm!), 'robust').map((i) => steps[i]!.step);
}
