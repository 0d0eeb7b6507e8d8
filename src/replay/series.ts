/**
 * A session as columns, per device (uPlot-style: one array per series, times in Unix seconds),
 * read from the store or from a session CSV, with the metrics recomputed by the one engine.
 * What the report, the comparison table and the coupling statistics work from.
 */
import type { EngineOptions } from '../core/device.js';
import { SessionEngine, type MetricRow } from '../core/engine.js';
import { replaySession } from './csv.js';
import type { SessionInfo, SessionStore, StepRecord } from '../store/session-store.js';
import { openInput } from '../store/files.js';
import { SummaryBuilder, type SessionSummary } from '../analysis/summary.js';

export interface DeviceSeries {
  device: string;
  t: number[];
  util_pct: (number | null)[];
  temp_c: (number | null)[];
  power_w: (number | null)[];
  /** 1 where the engine used estimated power. */
  power_estimated: number[];
  /** How the power readings came: samples per provenance (measured, recorded = imported, estimated). */
  power_provenance: Record<string, number>;
  rle_smoothed: number[];
  rolling_peak: number[];
  E_th: number[];
  E_pw: number[];
  collapse: number[];
}

export interface SessionData {
  id: string;
  info: SessionInfo | null;
  devices: DeviceSeries[];
  steps: StepRecord[];
  summary: SessionSummary;
  notes: string[];
}

class Collector {
  readonly byDevice = new Map<string, DeviceSeries>();
  add(device: string, t: number, util: number | null, temp: number | null, power: number | null, m: Pick<MetricRow, 'rle_smoothed' | 'rolling_peak' | 'E_th' | 'E_pw' | 'collapse' | 'power_source'>, powerSrc: string | null): void {
    let d = this.byDevice.get(device);
    if (!d) {
      d = { device, t: [], util_pct: [], temp_c: [], power_w: [], power_estimated: [], power_provenance: {}, rle_smoothed: [], rolling_peak: [], E_th: [], E_pw: [], collapse: [] };
      this.byDevice.set(device, d);
    }
    d.t.push(t);
    d.util_pct.push(util);
    d.temp_c.push(temp);
    d.power_w.push(power);
    d.power_estimated.push(m.power_source === 'estimated' ? 1 : 0);
    const src = power === null ? (m.power_source === 'estimated' ? 'estimated' : 'unavailable') : (powerSrc ?? 'measured');
    d.power_provenance[src] = (d.power_provenance[src] ?? 0) + 1;
    d.rle_smoothed.push(m.rle_smoothed);
    d.rolling_peak.push(m.rolling_peak);
    d.E_th.push(m.E_th);
    d.E_pw.push(m.E_pw);
    d.collapse.push(m.collapse);
  }
}

/** The rated powers a monitor resolved (GPU power limits) are part of its manifest. */
export function ratedFromManifest(manifest: Record<string, unknown>): Record<string, number> {
  const engine = manifest.engine as { rated?: Record<string, number> } | undefined;
  return engine?.rated ?? {};
}

export function loadStoredSession(store: SessionStore, id: string, engineOptions: EngineOptions = {}): SessionData {
  const info = store.get(id);
  const engine = new SessionEngine({ ...engineOptions, rated: { ...ratedFromManifest(info.manifest), ...engineOptions.rated } });
  const builder = new SummaryBuilder(engineOptions.dtS ?? 1);
  const c = new Collector();
  let rows = 0;
  for (const { sample: s } of store.rows(info.id)) {
    const m = engine.push(s.device, s);
    const metric = s.power_src === 'estimated' ? { ...m, power_source: 'estimated' as const } : m;
    builder.add(s.device, s.t, s.util_pct, s.temp_c, s.power_w, metric);
    c.add(s.device, s.t, s.util_pct, s.temp_c, s.power_w, metric, s.power_src);
    rows++;
  }
  return { id: info.id, info, devices: [...c.byDevice.values()], steps: store.steps(info.id), summary: builder.result(info.id, rows, 0), notes: builder.notes() };
}

export async function loadCsvSession(file: string, engineOptions: EngineOptions = {}, device?: string): Promise<SessionData> {
  const builder = new SummaryBuilder(engineOptions.dtS ?? 1);
  const c = new Collector();
  const r = await replaySession(await openInput(file), { source: file, device }, engineOptions, {
    onBatch: (rows, metrics) => {
      rows.forEach((row, i) => {
        builder.add(row.device, row.t, row.util_pct, row.temp_c, row.power_w, metrics[i]!);
        c.add(row.device, row.t, row.util_pct, row.temp_c, row.power_w, metrics[i]!, 'recorded');
      });
    },
  });
  return { id: file, info: null, devices: [...c.byDevice.values()], steps: [], summary: builder.result(file, r.stats.rows, r.stats.malformed.count), notes: builder.notes() };
}
