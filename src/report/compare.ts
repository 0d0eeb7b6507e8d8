/**
 * The "thermal personality" table of the original study: one row per session and device —
 * workload label, samples, duration, collapse rate and events, mean power with the share that
 * was measured, mean RLE, peak temperature — as rows, Markdown or aligned text.
 */
import type { SessionData } from '../replay/series.js';

export interface CompareRow {
  session: string;
  label: string;
  device: string;
  samples: number;
  duration_s: number | null;
  collapse_rate: number | null;
  collapse_events: number;
  power_mean_w: number | null;
  /** Share of samples whose power was read (measured live, or recorded by an earlier tool). */
  power_measured_share: number | null;
  /** Samples per power provenance: measured (live), recorded (imported/CSV), estimated, unavailable. */
  power_provenance: Record<string, number>;
  /** Readings that were one constant on every sample (written by a tool, not measured). */
  suspect_constants: string[];
  rle_mean: number | null;
  temp_peak_c: number | null;
}

function provenance(data: SessionData, device: string): Pick<CompareRow, 'power_provenance' | 'suspect_constants'> {
  const series = data.devices.find((x) => x.device === device);
  const suspect = ['temp_c', 'power_w'].filter((what) => data.notes.some((n) => n.startsWith(`${device}: ${what} is `) && n.includes('constant')));
  return { power_provenance: series?.power_provenance ?? {}, suspect_constants: suspect };
}

export function compareRows(data: SessionData, label: string): CompareRow[] {
  return Object.entries(data.summary.devices).map(([device, d]) => ({
    ...provenance(data, device),
    session: data.id,
    label,
    device,
    samples: d.samples,
    duration_s: d.duration_s,
    collapse_rate: d.collapse_rate,
    collapse_events: d.collapse_events,
    power_mean_w: d.power_w.mean,
    power_measured_share: d.power_w.measured_share,
    rle_mean: d.rle_smoothed.mean,
    temp_peak_c: d.temp_c.max,
  }));
}

const HEAD = ['workload', 'session', 'device', 'samples', 'duration', 'collapse rate', 'collapse events', 'mean power', 'RLE mean', 'peak temp'];

function cells(r: CompareRow): string[] {
  const n = (x: number | null, d = 3): string => (x === null ? 'n/a' : Number(x.toPrecision(d)).toString());
  const dur = r.duration_s === null ? 'n/a' : r.duration_s >= 120 ? `${(r.duration_s / 60).toFixed(1)} min` : `${r.duration_s.toFixed(0)} s`;
  const how = (r.power_provenance.recorded ?? 0) > (r.power_provenance.measured ?? 0) ? 'recorded' : 'measured';
  const flag = (what: string): string => (r.suspect_constants.includes(what) ? ', constant: not a measurement?' : '');
  const power = r.power_mean_w === null ? 'n/a (not measured)' : `${n(r.power_mean_w)} W (${((r.power_measured_share ?? 0) * 100).toFixed(0)}% ${how}${flag('power_w')})`;
  const temp = r.temp_peak_c === null ? 'n/a' : `${n(r.temp_peak_c)} °C${flag('temp_c') ? ' (constant: not a measurement?)' : ''}`;
  return [r.label, r.session, r.device, String(r.samples), dur, r.collapse_rate === null ? 'n/a' : `${(r.collapse_rate * 100).toFixed(1)}%`, String(r.collapse_events), power, n(r.rle_mean), temp];
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
