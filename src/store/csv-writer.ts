/**
 * Session CSV writer: the spec's columns in order, then rle's provenance column, then the
 * input's extra columns passed through. Numbers in shortest round-trip form, empty for missing.
 */
import type { MetricRow } from '../core/engine.js';
import { PROVENANCE_COLUMNS, SPEC_COLUMNS } from './columns.js';
import type { SessionRow } from './csv-reader.js';
import type { StoredRow, StoredThrottle } from './session-store.js';
import { formatTimestamp } from './timestamp.js';
import { ByteBuffer } from './byte-buffer.js';
import { MAX_NUMBER_BYTES, writeNumber } from './number-bytes.js';

type LineRow = Pick<SessionRow, 'timestamp' | 'device' | 'temp_c' | 'power_w' | 'util_pct' | 'extra'>;
type LineMetric = Omit<MetricRow, 'power_used_w'>;

const COMMA = 44;
const NEWLINE = 10;

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

/**
 * Room for the middle of a line, bytes: 11 numbers, collapse and throttled (numbers too)
 * with their commas, the power source (`unavailable`, the longest provenance), and spare.
 */
const MIDDLE_BYTES = 13 * (MAX_NUMBER_BYTES + 1) + 32;

/** A comma, then the number (nothing when missing or not finite), at b[at…]; the offset after it. */
function numberField(b: Uint8Array, at: number, x: number | null): number {
  b[at++] = COMMA;
  return x !== null && x - x === 0 ? writeNumber(b, at, x) : at; // x - x: NaN for NaN and ±Infinity
}

/** A 0/1 column (collapse, throttled) at b[at…], as String() writes it; the offset after it. */
function flag(b: Uint8Array, at: number, v: number): number {
  if (v === 0 || v === 1) {
    b[at] = 48 + v;
    return at + 1;
  }
  return ascii(b, at, String(v));
}

/** The ASCII string `s` at b[at…] (provenance labels, causes); the offset after it. */
function ascii(b: Uint8Array, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[at++] = s.charCodeAt(i);
  return at;
}

export class SessionCsvWriter {
  readonly columns: readonly string[];
  private scratch: ByteBuffer | null = null;

  constructor(readonly extraColumns: readonly string[] = []) {
    this.columns = [...SPEC_COLUMNS, ...PROVENANCE_COLUMNS, ...extraColumns];
  }

  headerLine(): string {
    return this.columns.map(csvField).join(',') + '\n';
  }

  /** One line for a sample and its metric row (what writeLine writes, as a string). */
  line(r: LineRow, m: LineMetric, th: StoredThrottle | null = null): string {
    const b = (this.scratch ??= new ByteBuffer(1 << 12));
    this.writeLine(b, r, m, th);
    return b.takeString();
  }

  /**
   * Appends one line for a sample and its metric row to `out`, as UTF-8 bytes: numbers in
   * shortest round-trip form (String(x), written without making strings), empty for missing
   * or non-finite values. Making a string per number, or one JSON.stringify per row, was most
   * of augment's time; so is any per-byte call here, hence one reservation for the middle.
   */
  writeLine(out: ByteBuffer, r: LineRow, m: LineMetric, th: StoredThrottle | null = null): void {
    out.field(r.timestamp);
    out.byte(COMMA);
    out.field(r.device);
    const b = out.room(MIDDLE_BYTES + 3 * (th?.causes?.length ?? 0));
    let at = out.end;
    at = numberField(b, at, m.rle_smoothed);
    at = numberField(b, at, m.rle_raw);
    at = numberField(b, at, m.rle_norm);
    at = numberField(b, at, m.E_th);
    at = numberField(b, at, m.E_pw);
    at = numberField(b, at, r.temp_c);
    at = numberField(b, at, r.power_w);
    at = numberField(b, at, r.util_pct);
    at = numberField(b, at, m.a_load);
    at = numberField(b, at, m.t_sustain_s);
    at = numberField(b, at, m.rolling_peak);
    b[at++] = COMMA;
    at = flag(b, at, m.collapse);
    // alerts: no rule of the spec defines them; kept empty for compatibility
    b[at++] = COMMA;
    b[at++] = COMMA;
    at = ascii(b, at, m.power_source);
    b[at++] = COMMA;
    const throttled = th?.throttled;
    if (throttled !== null && throttled !== undefined) at = flag(b, at, throttled);
    b[at++] = COMMA;
    if (th?.causes) at += b.write(th.causes, at, 'utf8');
    out.end = at;
    for (let i = 0; i < this.extraColumns.length; i++) {
      out.byte(COMMA);
      out.field(r.extra[i] ?? '');
    }
    out.byte(NEWLINE);
  }

  /**
   * One line for a stored row (readings as stored; an estimated power says so in
   * power_source). Here the extra columns are reading ids (`cpu.freq`, `gpu0.clock_sm`…).
   */
  storedLine(r: StoredRow): string {
    const s = r.sample;
    const extra = this.extraColumns.map((k) => formatNumber(s.extra?.[k] ?? null));
    return this.line({ timestamp: formatTimestamp(s.t), device: s.device, util_pct: s.util_pct, temp_c: s.temp_c, power_w: s.power_w, extra }, r.metric, r.throttle ?? null);
  }
}
