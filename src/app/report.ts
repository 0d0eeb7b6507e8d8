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
import { Worker } from 'node:worker_threads';
import { RleError, type ErrorCode } from '../errors.js';
import { figureSpec, renderFigure } from '../report/figure.js';
import { reportHtml } from '../report/html.js';
import { buildReportSummary, type ReportSummary } from '../report/summary.js';
import { loadStoredSession, type SessionData } from '../replay/series.js';
import { AtomicOutput, fsErrorReason, holdTemp, releaseTemp, writeFileAtomic } from '../store/files.js';
import { removeStaleTemps, tempName } from '../store/stale-temps.js';
import type { ReportJob, ReportMessage, ReportResult } from './report-worker.js';
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
  const data = withStore(o.db, (s) => {
    if (!s.has(id)) s.get(id); // throws the store's message (none matching, or ambiguous)
    return loadStoredSession(s, id);
  });
  if (!data) throw new RleError('E_SESSION', `no stored session "${id}": there is no session store at ${o.db} (see rle sessions)`);
  const known = data.devices.map((d) => d.device);
  const wanted = o.devices ?? [];
  const unknown = wanted.filter((d) => !known.includes(d));
  if (unknown.length > 0) throw new RleError('E_OPTION', `--device ${unknown.join(',')}: not in this session (devices: ${known.join(', ') || 'none'})`);
  const devices = wanted.length > 0 ? wanted : known;
  return { data, devices, summary: buildReportSummary(data, o.coupling ?? COUPLING_DEFAULTS, devices) };
}

/** summary.json's text (and `rle report --json`'s). */
export function summaryText(summary: ReportSummary): string {
  return JSON.stringify(summary, null, 2) + '\n';
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

/** A report stopped before it was done (Ctrl-C, SIGTERM): nothing was written. */
export class ReportInterrupted extends Error {
  constructor() {
    super('interrupted; no report written');
    this.name = 'ReportInterrupted';
  }
}

/**
 * buildReport and renderReport on a worker thread (report-worker.ts), so that the calling
 * thread can stop it at once: `signal` aborts it (the worker is terminated, the promise rejects
 * with ReportInterrupted). Errors thrown there come back as they were (RleErrors with their code).
 * @param files render the figure and page too, else only the summary
 */
export function reportInWorker(id: string, o: ReportOptions, files: boolean, signal?: AbortSignal): Promise<ReportResult> {
  if (signal?.aborted) return Promise.reject(new ReportInterrupted());
  const job: ReportJob = { id, options: o, files };
  const worker = new Worker(new URL('./report-worker.js', import.meta.url), { workerData: job });
  return new Promise<ReportResult>((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    const onAbort = (): void => settle(() => {
      void worker.terminate();
      reject(new ReportInterrupted());
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (m: ReportMessage) => settle(() => {
      if (m.type === 'done') resolve(m.result);
      else if (m.code) reject(new RleError(m.code as ErrorCode, m.message, { file: m.file, line: m.line }));
      else reject(new Error(`report failed: ${m.message}`));
    }));
    worker.once('error', (e) => settle(() => reject(e)));
    worker.once('exit', (code) => settle(() => reject(new Error(`report worker exited with code ${code} before it was done`))));
  });
}

/**
 * Writes the files into `dir`. A new folder is written beside its place and renamed into it,
 * so it appears whole or not at all; into an existing folder every file is written and
 * flushed to a temp file first, and they are renamed into place only once all were.
 */
export async function writeReportFolder(dir: string, files: Record<string, string | Buffer>): Promise<void> {
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
      out.write(body);
    }
    for (const out of outs) await out.finish();
  } catch (err) {
    await Promise.all(outs.map((o) => o.abort()));
    throw err;
  }
  for (const out of outs) await out.publish();
}
