/**
 * Streaming reader for session CSVs: the spec's columns and every older column set seen in
 * ../shared/data (extra columns, short rows, `Z`/`+00:00`/offset-less timestamps, CPU and GPU
 * rows interleaved). Memory is flat in the file size: rows arrive in batches, one per input chunk.
 *
 * Quoted text is tokenized by papaparse's core Parser (RFC 4180); unquoted text, which is what
 * sessions are, is split directly. This module carries partial rows across chunks, tracks
 * physical line numbers and types the fields.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type Papa from 'papaparse';
import { PROVENANCES, type Provenance } from '../core/provenance.js';
import { RleError } from '../errors.js';
import { PROVENANCE_COLUMNS, SPEC_COLUMNS } from './columns.js';
import { wallTimeProblem } from '../ingest/times.js';
import { formatTimestamp, parseTimestampIn } from './timestamp.js';
import { DeviceNames } from './device-names.js';
import { FieldOffsets } from './field-offsets.js';
import { plainDecimal } from './plain-decimal.js';

/**
 * One slice, tokenized: unquoted text as it is (its lines are split as they are read), or
 * papaparse's rows of quoted text; the offset where the unfinished tail starts, and the
 * first quoting error.
 */
type Tokens =
  | { readonly quoted: false; readonly text: string; readonly cursor: number }
  | {
      readonly quoted: true;
      readonly rows: string[][];
      readonly cursor: number;
      readonly error: { readonly row: number; readonly message: string } | null;
    };

export interface SessionRow {
  /** 1-based physical line of the row in its file. */
  readonly line: number;
  /** Canonical UTC ISO 8601 with `Z`. */
  readonly timestamp: string;
  /** Unix time, seconds. */
  readonly t: number;
  readonly device: string;
  readonly util_pct: number | null;
  readonly temp_c: number | null;
  readonly power_w: number | null;
  /**
   * Provenance of each reading: `recorded` (a file another tool wrote), or for power what the
   * file's own `power_source` column says (rle's exports carry one); null when the value is missing.
   */
  readonly util_src: Provenance | null;
  readonly temp_src: Provenance | null;
  readonly power_src: Provenance | null;
  /** Values of SessionHeader.extraColumns, in that order ('' when the row was short). */
  readonly extra: readonly string[];
}

export interface SessionHeader {
  readonly columns: readonly string[];
  /** Columns that are neither spec nor provenance columns, passed through by writers. */
  readonly extraColumns: readonly string[];
}

/** A count of problem rows with the first few line numbers, for messages. */
export interface LineTally {
  count: number;
  readonly lines: number[];
}

export interface ReadStats {
  /** Data rows read (blank lines excluded), malformed ones included. */
  rows: number;
  /** Rows skipped: timestamp missing or neither ISO 8601 nor Unix seconds, or no device name. */
  readonly malformed: LineTally;
  /** Reading fields that were neither empty nor a finite number (read as missing). */
  readonly badValues: LineTally;
  /**
   * Readings no sensor can give (read as missing): temperature outside −40…150 °C, negative
   * or absurd power, utilization outside 0–100 %.
   */
  readonly impossible: LineTally;
  /** Rows whose time is before the previous row of the same device (kept, in file order). */
  readonly backwards: LineTally;
}

export interface ReadOptions {
  /** Name used in messages: the path, or `-` for stdin. */
  readonly source: string;
  /** Device name for files without a `device` column. */
  readonly device?: string;
  /** How many line numbers to keep per tally (default 5). */
  readonly keepLines?: number;
  /** Arbitrary CSVs: which column of the file holds each session column (`--map power_w=heater_w`); with a map, a plain number in the timestamp column is Unix seconds. */
  readonly map?: Readonly<Partial<Record<MappableColumn, string>>>;
  /** Multiply a reading by a factor as it is read (`--scale util_pct=100` for 0–1 duties). */
  readonly scale?: Readonly<Partial<Record<ScalableColumn, number>>>;
}

export const MAPPABLE_COLUMNS = ['timestamp', 'device', 'util_pct', 'temp_c', 'power_w'] as const;
export type MappableColumn = (typeof MAPPABLE_COLUMNS)[number];
export const SCALABLE_COLUMNS = ['util_pct', 'temp_c', 'power_w'] as const;
export type ScalableColumn = (typeof SCALABLE_COLUMNS)[number];

const NUL = '\u0000';
/** Characters parsed per batch (~250 rows of a typical session). */
const SLICE_CHARS = 1 << 15;
/**
 * The longest line read, characters. A session line is ~150; a CSV of 5,000 columns still
 * fits. Longer is not a session CSV (or a gzip bomb of one line), and an unfinished line
 * held without limit would hold the whole file in memory.
 */
export const MAX_LINE_CHARS = 1 << 20;

/**
 * What no sensor reads: the ranges outside which a value is not a reading (read as missing,
 * counted in stats.impossible). 100 kW is far above any one device (a GPU board draws ≤ 1.5 kW).
 */
export const READING_RANGE = {
  temp_c: [-40, 150],
  power_w: [0, 100_000],
  util_pct: [0, 100],
} as const satisfies Record<ScalableColumn, readonly [number, number]>;

/** A reading column's factor (undefined: none) and the range a sensor can read. */
interface ReadingRule {
  readonly scale: number | undefined;
  readonly lo: number;
  readonly hi: number;
}


function countNewlines(s: string, end = s.length): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0 && i < end; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function tally(t: LineTally, line: number, keep: number): void {
  t.count++;
  if (t.lines.length < keep) t.lines.push(line);
}

function newlinesIn(row: readonly string[]): number {
  let n = 0;
  for (const f of row) {
    if (f.length > 0 && f.includes('\n')) n += f.split('\n').length - 1;
  }
  return n;
}

export class SessionCsvReader {
  header: SessionHeader | null = null;
  readonly stats: ReadStats = {
    rows: 0,
    malformed: { count: 0, lines: [] },
    badValues: { count: 0, lines: [] },
    impossible: { count: 0, lines: [] },
    backwards: { count: 0, lines: [] },
  };
  /** How each reading column is scaled (--scale) and which values a sensor can give. */
  private readonly rules: Record<ScalableColumn, ReadingRule>;

  private readonly keep: number;
  private line = 0;
  private idx = { ts: -1, dev: -1, util: -1, temp: -1, power: -1, powerSrc: -1, extra: [] as number[] };

  constructor(
    private readonly input: Readable,
    private readonly opts: ReadOptions,
  ) {
    this.keep = opts.keepLines ?? 5;
    const rule = (c: ScalableColumn): ReadingRule => ({ scale: opts.scale?.[c], lo: READING_RANGE[c][0], hi: READING_RANGE[c][1] });
    this.rules = { util_pct: rule('util_pct'), temp_c: rule('temp_c'), power_w: rule('power_w') };
  }

  /** Valid rows in input order, in batches. Throws RleError on input that is not a session CSV. */
  async *batches(): AsyncGenerator<SessionRow[]> {
    try {
      yield* this.parseAll();
    } catch (err) {
      if (err instanceof RleError) throw err;
      // A failing stream: unreadable file, corrupt gzip data.
      throw this.fail('E_INPUT_FORMAT', `cannot read: ${(err as Error).message}`);
    }
  }

  private async *parseAll(): AsyncGenerator<SessionRow[]> {
    const decoder = new StringDecoder('utf8');
    let partial = '';
    let first = true;
    /** Lines end with a lone CR (classic Mac OS, some loggers): read as newlines. */
    let crOnly = false;
    for await (const chunk of this.input) {
      let text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        crOnly = text.includes('\r') && !text.includes('\n');
        first = false;
      }
      if (crOnly) text = text.replaceAll('\r', '\n');
      const nul = text.indexOf(NUL);
      if (nul >= 0) {
        const line = this.line + countNewlines(partial) + countNewlines(text, nul) + 1;
        throw this.fail('E_INPUT_FORMAT', 'not a text CSV file (it contains a NUL byte)', line);
      }
      // Parse in slices: batches stay small, so their rows die young (cheap GC), however
      // large the read chunks (large reads mean fewer waits on I/O). A slice without a
      // newline ends no row: it is only kept, so a long line is scanned once, not per slice.
      for (let at = 0; at < text.length; at += SLICE_CHARS) {
        const piece = text.slice(at, at + SLICE_CHARS);
        if (!piece.includes('\n')) {
          partial += piece;
          this.checkLength(partial);
          continue;
        }
        const slice = partial + piece;
        const t = await this.tokenize(slice, false);
        partial = slice.slice(t.cursor);
        const rows = this.consume(t);
        this.checkLength(partial);
        if (rows.length > 0) yield rows;
      }
    }
    const tail = partial + decoder.end();
    if (tail.length > 0) {
      const rows = this.consume(await this.tokenize(tail, true));
      if (rows.length > 0) yield rows;
    }
    if (this.header === null) throw this.fail('E_INPUT_FORMAT', 'empty file: no header row');
  }

  /** The unfinished line must stay under MAX_LINE_CHARS. */
  private checkLength(partial: string): void {
    if (partial.length <= MAX_LINE_CHARS) return;
    throw this.fail('E_INPUT_FORMAT', `line is longer than ${MAX_LINE_CHARS} characters (the limit of a CSV line): not a session CSV`, this.line + 1);
  }

  private papa: Papa.Parser | null = null;

  /**
   * Complete rows of `text` (all of it when `final`). Text without a quote character is split
   * directly; anything quoted goes to papaparse's parser (RFC 4180), loaded only then: it
   * takes ~50 ms to load, a tenth of the time budget for replaying a whole day.
   */
  private async tokenize(text: string, final: boolean): Promise<Tokens> {
    if (!text.includes('"')) return { quoted: false, text, cursor: final ? text.length : text.lastIndexOf('\n') + 1 };
    if (!this.papa) {
      const { default: P } = await import('papaparse');
      this.papa = new P.Parser({ delimiter: ',', newline: '\n' });
    }
    const res = this.papa.parse(text, 0, !final) as Papa.ParseResult<string[]>;
    const e = res.errors[0];
    return { quoted: true, rows: res.data, cursor: res.meta.cursor, error: e ? { row: e.row ?? 0, message: e.message } : null };
  }

  private fail(code: 'E_INPUT_FORMAT' | 'E_INPUT_COLUMNS', msg: string, line?: number): RleError {
    return new RleError(code, msg, line === undefined ? { file: this.opts.source } : { file: this.opts.source, line });
  }

  private consume(t: Tokens): SessionRow[] {
    return t.quoted ? this.consumeQuoted(t.rows, t.error) : this.consumePlain(t.text, t.cursor);
  }

  /** Lines of unquoted text[0…end): a newline ends a row, it does not start an empty one. */
  private consumePlain(text: string, end: number): SessionRow[] {
    const out: SessionRow[] = [];
    let at = 0;
    while (at < end) {
      let nl = text.indexOf('\n', at);
      if (nl < 0 || nl >= end) nl = end;
      const line = ++this.line;
      const stop = nl > at && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl; // CRLF files
      if (stop > at) {
        // (an empty line is a blank line)
        if (this.header === null) this.setHeader(text.slice(at, stop).split(','), line);
        else {
          const r = this.toRow(text, at, stop, ',', line);
          if (r) out.push(r);
        }
      }
      at = nl + 1;
    }
    return out;
  }

  /** papaparse's rows; each goes to toRow as its fields joined by NUL (which no text holds: it was refused). */
  private consumeQuoted(data: string[][], error: { readonly row: number; readonly message: string } | null): SessionRow[] {
    const out: SessionRow[] = [];
    const errorRow = error?.row ?? Number.POSITIVE_INFINITY;
    for (let i = 0; i < data.length; i++) {
      const row = data[i]!;
      const line = ++this.line;
      if (i === errorRow) throw this.fail('E_INPUT_FORMAT', `bad CSV quoting (${error!.message})`, line);
      this.line += newlinesIn(row);
      const last = row.length - 1;
      if (row[last]!.endsWith('\r')) row[last] = row[last]!.slice(0, -1); // CRLF files
      if (row.length === 1 && row[0] === '') continue; // blank line
      if (this.header === null) {
        this.setHeader(row, line);
        continue;
      }
      const text = row.join(NUL);
      const r = this.toRow(text, 0, text.length, NUL, line);
      if (r) out.push(r);
    }
    return out;
  }

  private setHeader(row: string[], line: number): void {
    const columns = row.map((c) => c.trim());
    const first = new Map<string, number>();
    columns.forEach((c, i) => {
      if (c !== '' && !first.has(c)) first.set(c, i);
    });
    const map = this.opts.map ?? {};
    const shown = columns.slice(0, 8).join(',') + (columns.length > 8 ? ',…' : '');
    for (const [target, src] of Object.entries(map)) {
      if (!first.has(src)) throw this.fail('E_INPUT_COLUMNS', `--map ${target}=${src}: no "${src}" column in the header (${shown})`, line);
    }
    const mapped = new Map<string, string>(Object.entries(map).map(([target, src]) => [target, src]));
    const sources = new Set(mapped.values());
    // A mapped column stands for its target; a column of the target's own name is then ignored.
    const at = (c: string): number => (mapped.has(c) ? first.get(mapped.get(c)!)! : (first.get(c) ?? -1));
    const known = new Set<string>([...SPEC_COLUMNS, ...PROVENANCE_COLUMNS]);
    const extraColumns = [...first.keys()].filter((c) => !sources.has(c) && !known.has(c));
    this.idx = {
      ts: at('timestamp'),
      dev: at('device'),
      util: at('util_pct'),
      temp: at('temp_c'),
      power: at('power_w'),
      powerSrc: at('power_source'),
      extra: extraColumns.map((c) => first.get(c)!),
    };
    if (this.idx.ts < 0) throw this.fail('E_INPUT_COLUMNS', `no "timestamp" column in the header (${shown})`, line);
    if (this.idx.util < 0) throw this.fail('E_INPUT_COLUMNS', `no "util_pct" column in the header (${shown})`, line);
    if (this.idx.dev < 0 && !this.opts.device) {
      throw this.fail('E_INPUT_COLUMNS', `no "device" column in the header (${shown}); name the device with --device`, line);
    }
    this.header = { columns, extraColumns };
  }

  /** The reading in text[from…to): null when empty; a bad value is counted and read as missing. */
  private num(text: string, from: number, to: number, line: number): number | null {
    if (from === to) return null;
    const v = plainDecimal(text, from, to);
    if (v !== null) return v;
    const s = text.slice(from, to);
    const n = Number(s);
    // Number(' ') is 0: only a zero needs the (slower) blank check.
    if (Number.isFinite(n) && (n !== 0 || s.trim() !== '')) return n;
    // The earlier tools wrote "nan" for missing readings: missing, not bad.
    if (!/^\s*[+-]?nan\s*$/i.test(s)) tally(this.stats.badValues, line, this.keep);
    return null;
  }

  /** The fields of the row being read. */
  private readonly fields = new FieldOffsets();
  private readonly devices = new DeviceNames();

  /**
   * A reading column of the row split last, scaled: missing when absent, empty or bad, or
   * when no sensor could have read it (counted in stats.impossible).
   */
  private readingAt(text: string, i: number, c: ReadingRule, line: number): number | null {
    const f = this.fields;
    if (!f.has(i)) return null;
    let v = this.num(text, f.from(i), f.to(i), line);
    if (v === null) return null;
    if (c.scale !== undefined) v *= c.scale;
    if (v >= c.lo && v <= c.hi) return v;
    tally(this.stats.impossible, line, this.keep);
    return null;
  }

  /** The row in text[from…to), fields separated by `sep` (a comma, or NUL for papaparse's rows). */
  private toRow(text: string, from: number, to: number, sep: string, line: number): SessionRow | null {
    this.stats.rows++;
    const f = this.fields;
    f.split(text, from, to, sep);
    const ix = this.idx;
    const tsFrom = f.has(ix.ts) ? f.from(ix.ts) : 0;
    const tsTo = f.has(ix.ts) ? f.to(ix.ts) : 0;
    // Plain numbers as Unix seconds only for mapped (arbitrary) CSVs: session files keep their contract.
    const ts = parseTimestampIn(text, tsFrom, tsTo) ?? (this.opts.map ? unixSeconds(text.slice(tsFrom, tsTo)) : null);
    const device = ix.dev >= 0 ? this.devices.inField(f.field(text, ix.dev)) : this.devices.named(this.opts.device!);
    if (ts === null || device === null || wallTimeProblem(ts.t) !== null) {
      tally(this.stats.malformed, line, this.keep);
      return null;
    }
    const util = this.readingAt(text, ix.util, this.rules.util_pct, line);
    const temp = this.readingAt(text, ix.temp, this.rules.temp_c, line);
    const power = this.readingAt(text, ix.power, this.rules.power_w, line);
    if (ts.t < device.lastT) tally(this.stats.backwards, line, this.keep);
    device.lastT = ts.t;
    return {
      line,
      timestamp: ts.iso,
      t: ts.t,
      device: device.name,
      util_pct: util,
      temp_c: temp,
      power_w: power,
      util_src: util === null ? null : 'recorded',
      temp_src: temp === null ? null : 'recorded',
      power_src: power === null ? null : (f.has(ix.powerSrc) ? ownLabel(f.field(text, ix.powerSrc)) : null) ?? 'recorded',
      extra: ix.extra.length === 0 ? NO_EXTRA : ix.extra.map((i) => f.field(text, i)),
    };
  }
}

/** Rows without extra columns share this. */
const NO_EXTRA: readonly string[] = Object.freeze([]);

const LABELS = new Set<string>(PROVENANCES);

/** A power_source value of rle's own exports; anything else (or none) is not trusted. */
function ownLabel(raw: string | undefined): Provenance | null {
  if (raw === undefined) return null;
  const v = raw.trim();
  return LABELS.has(v) && v !== 'unavailable' ? (v as Provenance) : null;
}

/** A plain non-negative number in the timestamp column is Unix time in seconds (exports of loggers, simulations). */
function unixSeconds(s: string): { t: number; iso: string } | null {
  if (!/^\s*\d+(\.\d+)?\s*$/.test(s)) return null;
  const t = Number(s);
  return { t, iso: formatTimestamp(t) };
}
