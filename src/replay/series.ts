/**
 * A session as columns, per device (uPlot-style: one array per series, times in Unix seconds),
 * read from the store or from a session CSV through the one engine, with its summary and notes.
 * What the report, the comparison table, the dashboard's session view and the coupling
 * statistics work from. Temperature and power columns hold readings only (measured, or
 * recorded by another tool); anything else is null there, and counted in the provenance tallies.
 */
import type { EngineOptions } from '../core/device.js';
import type { MetricRow } from '../core/engine.js';
import { isReading, type Provenance } from '../core/provenance.js';
import { SummaryBuilder, type SessionSummary, type SummarySample } from '../analysis/summary.js';
import type { SessionInfo, SessionStore, StepRecord, StoreEvent } from '../store/session-store.js';
import { openInput } from '../store/files.js';
import type { ReadOptions, ReadStats } from '../store/csv-reader.js';
import { replayCsv } from './csv.js';
import { StoredReplay } from './stored.js';

export interface DeviceSeries {
  device: string;
  t: number[];
  util_pct: (number | null)[];
  /** Temperature readings, °C; null where there is none. */
  temp_c: (number | null)[];
  /** Power readings, W; null where there is none (an estimate is not a reading). */
  power_w: (number | null)[];
  /** 1 where the metric's power was not a reading (estimated from utilization, a constant…). */
  power_estimated: number[];
  /** Samples per power provenance (measured, recorded, estimated, constant, unavailable…). */
  power_provenance: Partial<Record<Provenance, number>>;
  /** Samples per temperature provenance. */
  temp_provenance: Partial<Record<Provenance, number>>;
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
  /** Stored events (collapse edges, throttle intervals…), for stored sessions. */
  events: StoreEvent[];
  summary: SessionSummary;
  notes: string[];
}

type SeriesMetric = Pick<MetricRow, 'rle_smoothed' | 'rolling_peak' | 'E_th' | 'E_pw' | 'collapse' | 'power_source'>;

function emptySeries(device: string): DeviceSeries {
  return { device, t: [], util_pct: [], temp_c: [], power_w: [], power_estimated: [], power_provenance: {}, temp_provenance: {}, rle_smoothed: [], rolling_peak: [], E_th: [], E_pw: [], collapse: [] };
}

function tally(t: Partial<Record<Provenance, number>>, p: Provenance): void {
  t[p] = (t[p] ?? 0) + 1;
}

/** Collects columns and the summary from replayed samples. */
class Collector {
  readonly byDevice = new Map<string, DeviceSeries>();
  readonly summary: SummaryBuilder;
  rows = 0;

  constructor(nominalPeriodS: number) {
    this.summary = new SummaryBuilder(nominalPeriodS);
  }

  add(device: string, s: SummarySample, m: SeriesMetric): void {
    this.rows++;
    this.summary.add(device, s, m);
    let d = this.byDevice.get(device);
    if (!d) this.byDevice.set(device, (d = emptySeries(device)));
    d.t.push(s.t);
    d.util_pct.push(s.util_pct);
    const tempSrc: Provenance = s.temp_c === null ? 'unavailable' : (s.temp_src ?? 'measured');
    d.temp_c.push(isReading(tempSrc) ? s.temp_c : null);
    tally(d.temp_provenance, tempSrc);
    const powerSrc: Provenance = s.power_w === null ? (m.power_source === 'estimated' ? 'estimated' : 'unavailable') : m.power_source;
    d.power_w.push(isReading(m.power_source) ? s.power_w : null);
    d.power_estimated.push(isReading(m.power_source) ? 0 : 1);
    tally(d.power_provenance, powerSrc);
    d.rle_smoothed.push(m.rle_smoothed);
    d.rolling_peak.push(m.rolling_peak);
    d.E_th.push(m.E_th);
    d.E_pw.push(m.E_pw);
    d.collapse.push(m.collapse);
  }
}

export function loadStoredSession(store: SessionStore, id: string, engineOptions: EngineOptions = {}): SessionData {
  const info = store.get(id);
  const c = new Collector(engineOptions.dtS ?? 1);
  for (const { sample, metric } of new StoredReplay(store, info, engineOptions).next()) c.add(sample.device, sample, metric);
  return {
    id: info.id,
    info,
    devices: [...c.byDevice.values()],
    steps: store.steps(info.id),
    events: store.events(info.id),
    summary: c.summary.result(info.id, c.rows, 0),
    notes: c.summary.notes(),
  };
}

export async function loadCsvSession(file: string, engineOptions: EngineOptions = {}, read: Omit<ReadOptions, 'source'> = {}): Promise<SessionData & { stats: ReadStats }> {
  const c = new Collector(engineOptions.dtS ?? 1);
  const r = await replayCsv(await openInput(file), { ...read, source: file }, engineOptions, {
    onBatch: (rows, metrics) => rows.forEach((row, i) => c.add(row.device, row, metrics[i]!)),
  });
  return {
    id: file,
    info: null,
    devices: [...c.byDevice.values()],
    steps: [],
    events: [],
    summary: c.summary.result(file, r.stats.rows, r.stats.malformed.count),
    notes: c.summary.notes(),
    stats: r.stats,
  };
}
