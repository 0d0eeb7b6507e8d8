/**
 * A stored session's report, from the store alone (record and render are separate: any report
 * can be rebuilt at any time): the summary (summary.json / `rle report --json`), the figure
 * (SVG, PNG) and report.html. The folder appears whole or not at all.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { COUPLING_DEFAULTS, type CouplingOptions } from '../analysis/coupling/coupling.js';
import { RleError } from '../errors.js';
import { figureSpec, renderFigure, type FigureSummary } from '../report/figure.js';
import { reportHtml } from '../report/html.js';
import { buildReportSummary, buildReportSummaryAsync, type ReportSummary, type SurrogateRunner } from '../report/summary.js';
import { loadStoredSession, type SessionData } from '../replay/series.js';
import type { StepRecord } from '../store/session-store.js';
import { AtomicOutput, fsErrorReason, holdTemp, releaseTemp, writeFileAtomic } from '../store/files.js';
import { removeStaleTemps, tempName } from '../store/stale-temps.js';
import { withStore } from './session-input.js';

export interface ReportOptions {
  readonly db: string;
  /** Only these devices (empty: all). */
  readonly devices: readonly string[];
  readonly coupling: CouplingOptions;
}

export const REPORT_FILES = ['report.html', 'figure.png', 'figure.svg', 'summary.json'] as const;

export interface BuiltReport {
  readonly data: SessionData;
  readonly devices: readonly string[];
  readonly summary: ReportSummary;
}

/** The report's data and summary for a stored session id (or unique prefix). */
export function buildReport(id: string, o: Partial<ReportOptions> & Pick<ReportOptions, 'db'>): BuiltReport {
  const { data, devices } = loadReport(id, o);
  return { data, devices, summary: buildReportSummary(data, o.coupling ?? COUPLING_DEFAULTS, devices) };
}

/** The session's data and the devices to report on (`steps` false: without its steps). */
function loadReport(id: string, o: Partial<ReportOptions> & Pick<ReportOptions, 'db'>, steps = true): { data: SessionData; devices: readonly string[] } {
  const data = withStore(o.db, (s) => {
    if (!s.has(id)) s.get(id); // throws the store's message (none matching, or ambiguous)
    return loadStoredSession(s, id, {}, steps);
  });
  if (!data) throw new RleError('E_SESSION', `no stored session "${id}": there is no session store at ${o.db} (see rle sessions)`);
  const known = data.devices.map((d) => d.device);
  const wanted = o.devices ?? [];
  const unknown = wanted.filter((d) => !known.includes(d));
  if (unknown.length > 0) throw new RleError('E_OPTION', `--device ${unknown.join(',')}: not in this session (devices: ${known.join(', ') || 'none'})`);
  return { data, devices: wanted.length > 0 ? wanted : known };
}

/** summary.json's text (and `rle report --json`'s). */
export function summaryText(summary: ReportSummary): string {
  return JSON.stringify(summary, null, 2) + '\n';
}

/** The frame around a block stringified as { k: block } (summaryChunks). */
const FRAME_HEAD = '{\n  "k": [\n'.length, FRAME_TAIL = '\n  ]\n}'.length;

/**
 * summaryText's UTF-8 bytes, made a part at a time — a top-level array (step_times) `rows`
 * elements at a time — so the whole text never exists as one string beside its bytes
 * (500,000 steps: 82 MB each). The same bytes, in order.
 */
export function summaryChunks(summary: ReportSummary, rows = 20_000): Uint8Array[] {
  const enc = new TextEncoder(), out: Uint8Array[] = [];
  const put = (s: string): void => void out.push(enc.encode(s));
  const fields = Object.entries(summary).filter(([, v]) => v !== undefined);
  put('{\n');
  fields.forEach(([k, v], i) => {
    put(`  ${JSON.stringify(k)}: `);
    if (Array.isArray(v) && v.length > rows) {
      put('[\n');
      for (let b = 0; b < v.length; b += rows) {
        // A block as a field one deep stringifies its elements as they sit in the whole; cut its frame off.
        const block = JSON.stringify({ k: v.slice(b, b + rows) }, null, 2);
        put(`${block.slice(FRAME_HEAD, -FRAME_TAIL)}${b + rows < v.length ? ',' : ''}\n`);
      }
      put('  ]');
    } else put(JSON.stringify(v, null, 2).replace(/\n/g, '\n  '));
    put(i < fields.length - 1 ? ',\n' : '\n');
  });
  put('}\n');
  return out;
}

/** Reads a stored session's steps elsewhere (another thread: report-threads.ts). */
export type StepsReader = (db: string, id: string) => Promise<StepRecord[]>;

/**
 * buildReport with the session's steps read by `steps` while this thread replays its samples,
 * and each device's surrogate tests handed to `run` while it computes the rest (other threads:
 * report-threads.ts) — the same report. `meanwhile` runs while the tests finish (the figure).
 */
export async function buildReportAsync(id: string, o: Partial<ReportOptions> & Pick<ReportOptions, 'db'>, run: SurrogateRunner, steps: StepsReader, meanwhile?: (r: Omit<BuiltReport, 'summary'>, s: FigureSummary) => Promise<void>): Promise<BuiltReport> {
  // The full id first (the store's errors come from loadReport, as in buildReport).
  const full = fs.existsSync(o.db) ? withStore(o.db, (s) => (s.has(id) ? s.get(id).id : null)) : null;
  const reading = full ? steps(o.db, full) : null;
  reading?.catch(() => undefined); // awaited below, unless loadReport throws first
  const { data, devices } = loadReport(id, o, reading === null);
  if (reading) data.steps = await reading;
  const then = meanwhile ? (s: FigureSummary): Promise<void> => meanwhile({ data, devices }, s) : undefined;
  return { data, devices, summary: await buildReportSummaryAsync(data, o.coupling ?? COUPLING_DEFAULTS, devices, run, then) };
}

/** The figure and page of a built report, as file contents by name. */
export async function renderReport(r: BuiltReport): Promise<Record<(typeof REPORT_FILES)[number], string | Buffer>> {
  const { svg, png } = await renderFigure(figureSpec(r.data, r.summary, r.devices));
  return {
    'report.html': reportHtml(r.summary, svg),
    'figure.png': png,
    'figure.svg': svg,
    'summary.json': summaryText(r.summary),
  };
}

/**
 * Writes the files into `dir`. A new folder is written beside its place and renamed into it,
 * so it appears whole or not at all; into an existing folder every file is written and
 * flushed to a temp file first, and they are renamed into place only once all were.
 */
export async function writeReportFolder(dir: string, files: Record<string, string | Buffer | readonly Buffer[]>): Promise<void> {
  const exists = fs.existsSync(dir);
  if (exists && !fs.statSync(dir).isDirectory()) throw new RleError('E_OUTPUT', 'cannot write the report: not a folder', { file: dir });
  if (!exists) {
    const parent = path.dirname(path.resolve(dir));
    removeStaleTemps(parent);
    const tmp = tempName(path.resolve(dir), randomBytes(4).toString('hex'));
    try {
      await fsp.mkdir(tmp);
      holdTemp(tmp);
    } catch (err) {
      throw new RleError('E_OUTPUT', `cannot create the report folder: ${fsErrorReason(err)} (in ${parent})`, { file: dir });
    }
    try {
      for (const [name, body] of Object.entries(files)) {
        // An error names the file as it would have been, not the temp folder it was written in.
        await writeFileAtomic(path.join(tmp, name), body).catch((e: unknown) => {
          throw e instanceof RleError ? new RleError(e.code, e.message, { file: path.join(dir, name) }) : e;
        });
      }
      await fsp.rename(tmp, dir);
      releaseTemp(tmp);
    } catch (err) {
      await fsp.rm(tmp, { recursive: true, force: true });
      releaseTemp(tmp);
      throw err instanceof RleError ? err : new RleError('E_OUTPUT', `cannot write the report: ${fsErrorReason(err)}`, { file: dir });
    }
    return;
  }
  const outs: AtomicOutput[] = [];
  try {
    for (const [name, body] of Object.entries(files)) {
      const out = await AtomicOutput.open(path.join(dir, name));
      outs.push(out);
      for (const part of typeof body === 'string' || Buffer.isBuffer(body) ? [body] : body) out.write(part);
    }
    for (const out of outs) await out.finish();
  } catch (err) {
    await Promise.all(outs.map((o) => o.abort()));
    throw err;
  }
  for (const out of outs) await out.publish();
}
