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
import { SummaryBuilder, type SessionSummary, type SummarySample, type SummaryThrottle } from '../analysis/summary.js';
import type { SessionInfo, SessionStore, StepRecord, StoreEvent } from '../store/session-store.js';
import { openInput } from '../store/files.js';
import type { ReadOptions, ReadStats } from '../store/csv-reader.js';
import { columnsAsExtra, replayCsv } from './csv.js';
import { throttleInputOf, userLimit, type SampleLike } from '../analysis/throttle/from-sample.js';
import type { ThrottleColumns } from '../analysis/throttle/device.js';
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
  /** The throttle detector's inputs per sample (src/analysis/throttle/from-sample.ts). */
  throttle: ThrottleColumns;
  /**
   * A cumulative energy counter, J, per sample: RAPL's (measured) for a CPU, the GPU source's
   * integral of power.draw (derived); null where there is none. energy_source says which.
   */
  energy_j: (number | null)[];
  energy_source: string | null;
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

type Cols = { -readonly [K in keyof Required<ThrottleColumns>]: ThrottleColumns[K] extends readonly (infer V)[] | undefined ? V[] : never };

/** A series with no samples (tests and collectors start from it). */
export function emptySeries(device: string): DeviceSeries {
  const throttle: Cols = { t: [], util_pct: [], temp_c: [], temp_limit_c: [], clock_ratio: [], thermal_throttle_count: [], power_limit_count: [], throttle_time_ms: [], gpu_reasons: [] };
  return { device, t: [], util_pct: [], temp_c: [], power_w: [], power_estimated: [], power_provenance: {}, temp_provenance: {}, rle_smoothed: [], rolling_peak: [], E_th: [], E_pw: [], collapse: [], throttle, energy_j: [], energy_source: null };
}

/** Energy counters by device: the reading id and what it is. */
function energyOf(device: string, extra: Readonly<Record<string, number | null>> | null | undefined): { j: number | null; source: string } {
  const v = extra?.[`${device}.energy`];
  const j = typeof v === 'number' && Number.isFinite(v) ? v : null;
  return { j, source: device === 'cpu' ? 'RAPL energy counter (cpu.energy, measured)' : `${device}.energy (integral of measured power.draw, derived)` };
}

function tally(t: Partial<Record<Provenance, number>>, p: Provenance): void {
  t[p] = (t[p] ?? 0) + 1;
}

/** Collects columns and the summary from replayed samples. */
class Collector {
  readonly byDevice = new Map<string, DeviceSeries>();
  readonly summary: SummaryBuilder;
  rows = 0;

  /** @param limits the user's `--limit` map (the throttle detector's limit wins with it) */
  constructor(
    nominalPeriodS: number,
    private readonly limits?: Readonly<Record<string, number>>,
  ) {
    this.summary = new SummaryBuilder(nominalPeriodS);
  }

  add(device: string, s: SummarySample & SampleLike, m: SeriesMetric, answer: SummaryThrottle | null): void {
    this.rows++;
    this.summary.add(device, s, m, answer);
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
    const th = throttleInputOf(s, userLimit(device, this.limits));
    const c = d.throttle as Cols;
    c.t.push(th.t);
    c.util_pct.push(th.util_pct);
    c.temp_c.push(th.temp_c);
    c.temp_limit_c.push(th.temp_limit_c);
    c.clock_ratio.push(th.clock_ratio);
    c.thermal_throttle_count.push(th.thermal_throttle_count);
    c.power_limit_count.push(th.power_limit_count);
    c.throttle_time_ms.push(th.throttle_time_ms);
    c.gpu_reasons.push(th.gpu_reasons);
    const e = energyOf(device, s.extra);
    d.energy_j.push(e.j);
    if (e.j !== null) d.energy_source ??= e.source;
  }
}

/**
 * A column the summary found not to be a reading (a constant, or power derived from
 * utilization) is not one here either: nulled, and counted under its real label.
 */
function applyVerdicts(devices: DeviceSeries[], summary: SessionSummary): void {
  for (const d of devices) {
    const s = summary.devices[d.device];
    if (!s) continue;
    const relabel = (t: Partial<Record<Provenance, number>>, to: Provenance): void => {
      const n = (t.measured ?? 0) + (t.recorded ?? 0);
      delete t.measured;
      delete t.recorded;
      if (n > 0) t[to] = (t[to] ?? 0) + n;
    };
    if (s.temp_c.label) {
      d.temp_c = d.temp_c.map(() => null);
      relabel(d.temp_provenance, s.temp_c.label);
    }
    if (s.power_w.label) {
      d.power_w = d.power_w.map(() => null);
      d.power_estimated = d.power_estimated.map(() => 1);
      relabel(d.power_provenance, s.power_w.label);
    }
  }
}

/** @param steps false: leave `steps` empty (the caller reads them elsewhere) */
export function loadStoredSession(store: SessionStore, id: string, engineOptions: EngineOptions = {}, steps = true): SessionData {
  const info = store.get(id);
  const replay = new StoredReplay(store, info, engineOptions);
  const c = new Collector(engineOptions.dtS ?? 1, replay.userLimits);
  for (const { sample, metric, throttle } of replay.next()) c.add(sample.device, sample, metric, throttle);
  const devices = [...c.byDevice.values()];
  const summary = c.summary.result(info.id, c.rows, 0);
  applyVerdicts(devices, summary);
  return { id: info.id, info, devices, steps: steps ? store.steps(info.id) : [], events: store.events(info.id), summary, notes: c.summary.notes() };
}

export async function loadCsvSession(file: string, engineOptions: EngineOptions = {}, read: Omit<ReadOptions, 'source'> = {}): Promise<SessionData & { stats: ReadStats }> {
  const c = new Collector(engineOptions.dtS ?? 1, engineOptions.limit);
  let cols: readonly string[] = [];
  const r = await replayCsv(await openInput(file), { ...read, source: file }, engineOptions, {
    onHeader: (h) => void (cols = h.extraColumns),
    onBatch: (rows, metrics, throttle) => rows.forEach((row, i) => c.add(row.device, { ...row, extra: columnsAsExtra(cols, row.extra) }, metrics[i]!, throttle[i]!)),
  });
  const devices = [...c.byDevice.values()];
  const summary = c.summary.result(file, r.stats.rows, r.stats.malformed.count);
  applyVerdicts(devices, summary);
  return { id: file, info: null, devices, steps: [], events: [], summary, notes: c.summary.notes(), stats: r.stats };
}
