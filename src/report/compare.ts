/**
 * The "thermal personality" table of the original study: one row per session and device —
 * workload label, samples, duration, collapse rate and events, mean power with the share that
 * was a reading, mean RLE, peak temperature — and what throttling cost: the share of time
 * throttled, the time the job lost, J/token. Rows, Markdown or aligned text; a warning for a
 * table that sets measured power beside power that is not a reading.
 */
import type { SessionData } from '../replay/series.js';
import { costSummary } from './throttle-summary.js';

export interface CompareRow {
  session: string;
  label: string;
  device: string;
  samples: number;
  duration_s: number | null;
  /** null where no collapse could be detected (no temperature reading). */
  collapse_rate: number | null;
  collapse_events: number;
  power_mean_w: number | null;
  /** Share of samples whose power was a reading (measured live, or recorded by another tool). */
  power_measured_share: number | null;
  /** Samples per power provenance: measured (live), recorded (imported/CSV), estimated, constant, derived, unavailable. */
  power_provenance: Record<string, number>;
  /** Columns found not to be readings: `temp_c`, `power_w` (constants, power computed from utilization). */
  suspect_constants: string[];
  rle_mean: number | null;
  temp_peak_c: number | null;
  /** Share of the judged time the device was throttled; null when it could not tell. */
  throttled_share: number | null;
  /** Seconds the session's throttled steps lost over the baseline (the whole session's, on each of its rows). */
  lost_s: number | null;
  /** J per training token from this device's measured energy. */
  j_per_token: number | null;
}

export function compareRows(data: SessionData, label: string): CompareRow[] {
  const devices = Object.keys(data.summary.devices);
  const cost = costSummary(data, devices);
  return Object.entries(data.summary.devices).map(([device, d]) => ({
    session: data.id,
    label,
    device,
    samples: d.samples,
    duration_s: d.duration_s,
    collapse_rate: d.collapse_rate,
    collapse_events: d.collapse_events,
    power_mean_w: d.power_w.mean,
    power_measured_share: d.power_w.measured_share,
    power_provenance: data.devices.find((x) => x.device === device)?.power_provenance ?? {},
    suspect_constants: [...(d.temp_c.label ? ['temp_c'] : []), ...(d.power_w.label ? ['power_w'] : [])],
    rle_mean: d.rle_smoothed.mean,
    temp_peak_c: d.temp_c.max,
    throttled_share: cost.throttle[device]?.throttled_share ?? null,
    lost_s: cost.throttle_tax.lost_s,
    j_per_token: cost.energy[device]?.joules_per_token ?? null,
  }));
}

/** What a reader must know before comparing the rows: power of different kinds side by side. */
export function compareWarnings(rows: readonly CompareRow[]): string[] {
  const read = rows.filter((r) => (r.power_measured_share ?? 0) > 0);
  const notRead = rows.filter((r) => (r.power_measured_share ?? 0) === 0);
  if (read.length === 0 || notRead.length === 0) return [];
  const list = (rs: readonly CompareRow[]): string => rs.map((r) => `${r.label} ${r.device}`).join(', ');
  return [`measured power (${list(read)}) is set beside power that is not a reading (${list(notRead)}: estimated from utilization or a constant); their power, a_load, E_pw and RLE do not compare`];
}

const HEAD = ['workload', 'session', 'device', 'samples', 'duration', 'collapse rate', 'collapse events', 'mean power', 'RLE mean', 'peak temp', 'throttled', 'lost', 'J/token'];

function cells(r: CompareRow): string[] {
  const n = (x: number | null, d = 3): string => (x === null ? 'n/a' : Number(x.toPrecision(d)).toString());
  const dur = r.duration_s === null ? 'n/a' : r.duration_s >= 120 ? `${(r.duration_s / 60).toFixed(1)} min` : `${r.duration_s.toFixed(0)} s`;
  const how = (r.power_provenance.recorded ?? 0) > (r.power_provenance.measured ?? 0) ? 'recorded' : 'measured';
  const notReading = r.suspect_constants.includes('power_w') ? 'n/a (not a reading: written by the tool)' : 'n/a (not measured)';
  const power = r.power_mean_w === null ? notReading : `${n(r.power_mean_w)} W (${((r.power_measured_share ?? 0) * 100).toFixed(0)}% ${how})`;
  const temp = r.temp_peak_c === null ? (r.suspect_constants.includes('temp_c') ? 'n/a (a constant)' : 'n/a') : `${n(r.temp_peak_c)} °C`;
  const collapse = r.collapse_rate === null ? 'n/a (no temperature)' : `${(r.collapse_rate * 100).toFixed(1)}%`;
  const throttled = r.throttled_share === null ? 'cannot tell' : `${(r.throttled_share * 100).toFixed(0)}%`;
  return [r.label, r.session, r.device, String(r.samples), dur, collapse, String(r.collapse_events), power, n(r.rle_mean), temp, throttled, r.lost_s === null ? 'n/a' : `${n(r.lost_s)} s`, n(r.j_per_token)];
}

export function compareMarkdown(rows: readonly CompareRow[]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  return [`| ${HEAD.join(' | ')} |`, `|${HEAD.map((_, i) => (i >= 3 ? '---:' : '---')).join('|')}|`, ...rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`)].join('\n') + '\n';
}

export function compareText(rows: readonly CompareRow[]): string {
  const table = [HEAD, ...rows.map(cells)];
  const w = HEAD.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return table.map((r) => r.map((c, i) => (i >= 3 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}
