/**
 * Session CSV writer: the spec's columns in order, then rle's provenance column, then the
 * input's extra columns passed through. Numbers in shortest round-trip form, empty for missing.
 */
import type { MetricRow } from '../core/engine.js';
import { PROVENANCE_COLUMNS, SPEC_COLUMNS } from './columns.js';
import type { SessionRow } from './csv-reader.js';

/** Shortest string that parses back to the same double; '' for missing or non-finite. */
export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '';
  return x === 0 ? '0' : String(x);
}

const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180 field. */
export function csvField(s: string): string {
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export class SessionCsvWriter {
  readonly columns: readonly string[];

  constructor(readonly extraColumns: readonly string[] = []) {
    this.columns = [...SPEC_COLUMNS, ...PROVENANCE_COLUMNS, ...extraColumns];
  }

  headerLine(): string {
    return this.columns.map(csvField).join(',') + '\n';
  }

  /** One line for a sample and its metric row. */
  line(r: SessionRow, m: MetricRow): string {
    let s =
      csvField(r.timestamp) + ',' +
      csvField(r.device) + ',' +
      formatNumber(m.rle_smoothed) + ',' +
      formatNumber(m.rle_raw) + ',' +
      formatNumber(m.rle_norm) + ',' +
      formatNumber(m.E_th) + ',' +
      formatNumber(m.E_pw) + ',' +
      formatNumber(r.temp_c) + ',' +
      formatNumber(r.power_w) + ',' +
      formatNumber(r.util_pct) + ',' +
      formatNumber(m.a_load) + ',' +
      formatNumber(m.t_sustain_s) + ',' +
      formatNumber(m.rolling_peak) + ',' +
      m.collapse + ',' +
      '' + ',' + // alerts: defined by no rule of the spec; kept empty for compatibility
      m.power_source;
    for (let i = 0; i < this.extraColumns.length; i++) s += ',' + csvField(r.extra[i] ?? '');
    return s + '\n';
  }
}
