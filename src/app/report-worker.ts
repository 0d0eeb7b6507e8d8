/**
 * A report's thread: builds and renders the report off the main thread, so the main thread
 * stays free to hear Ctrl-C and SIGTERM during a long computation (a day of telemetry and
 * 500,000 steps: seconds of statistics in one synchronous run). Stopping is the main thread's
 * worker.terminate(); nothing is written here, so a stopped report leaves nothing behind.
 * Message out: the result (file contents as transferred bytes) or the error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RleError } from '../errors.js';
import { figureSpec, renderFigure, type FigureSummary } from '../report/figure.js';
import { reportHtml } from '../report/html.js';
import type { ReportSummary } from '../report/summary.js';
import type { SessionData } from '../replay/series.js';
import { buildReportAsync, summaryChunks, type ReportOptions } from './report.js';
import { stepsInWorker, surrogateThreads } from './report-threads.js';

export interface ReportJob {
  id: string;
  options: ReportOptions;
  /** Render the figure and page too (else only the summary). */
  files: boolean;
}

export interface ReportResult {
  /** The session's full id. */
  id: string;
  /** summary.json's text, UTF-8, in parts (summaryChunks). */
  summary: Uint8Array[];
  /** report.html, figure.png, figure.svg, summary.json, each in one or more parts, when asked for. */
  files: Record<string, Uint8Array[]> | null;
  verdicts: { device: string; verdict: string; reason: string }[];
  /** The summary's one-line answer (throttling, lost time, J/token). */
  headline: string;
}

export type ReportMessage = { type: 'done'; result: ReportResult } | { type: 'error'; code: string | null; message: string; file?: string; line?: number };

const utf8 = (s: string | Buffer): Uint8Array => (typeof s === 'string' ? new TextEncoder().encode(s) : new Uint8Array(s));

/**
 * The summary and, with files, the figure — drawn while the surrogate tests finish on their
 * threads (it needs none of their results); the session's columns and steps are let go here.
 */
async function summaryAndFigure(job: ReportJob): Promise<{ id: string; summary: ReportSummary; figure: { svg: string; png: Buffer } | null }> {
  let figure: { svg: string; png: Buffer } | null = null;
  const draw = job.files ? async (r: { data: SessionData; devices: readonly string[] }, s: FigureSummary): Promise<void> => void (figure = await renderFigure(figureSpec(r.data, s, r.devices))) : undefined;
  const { data, summary } = await buildReportAsync(job.id, job.options, surrogateThreads(), stepsInWorker, draw);
  return { id: data.id, summary, figure };
}

async function main(): Promise<void> {
  const post = (m: ReportMessage, transfer: ArrayBuffer[] = []): void => parentPort!.postMessage(m, transfer);
  try {
    const job = workerData as ReportJob;
    const { id, summary, figure } = await summaryAndFigure(job);
    const verdicts = Object.entries(summary.coupling).map(([device, c]) => ({ device, verdict: c.verdict, reason: c.reason }));
    // renderReport's files, as bytes: summary.json's made a part at a time (82 MB of text for
    // 500,000 steps never exists whole), after the session's data is let go.
    const text = summaryChunks(summary);
    const files = figure ? { 'report.html': [utf8(reportHtml(summary, figure.svg))], 'figure.png': [utf8(figure.png)], 'figure.svg': [utf8(figure.svg)], 'summary.json': text } : null;
    const buffers = [...new Set([...text, ...Object.values(files ?? {}).flat()].map((b) => b.buffer as ArrayBuffer))];
    post({ type: 'done', result: { id, summary: text, files, verdicts, headline: summary.headline } }, buffers);
  } catch (e) {
    if (e instanceof RleError) post({ type: 'error', code: e.code, message: e.message, ...e.where });
    else post({ type: 'error', code: null, message: (e as Error).stack ?? String(e) });
  }
}

void main();
