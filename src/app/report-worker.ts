/**
 * A report's thread: builds and renders the report off the main thread, so the main thread
 * stays free to hear Ctrl-C and SIGTERM during a long computation (a day of telemetry and
 * 500,000 steps: seconds of statistics in one synchronous run). Stopping is the main thread's
 * worker.terminate(); nothing is written here, so a stopped report leaves nothing behind.
 * Message out: the result (file contents as transferred bytes) or the error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RleError } from '../errors.js';
import { buildReport, renderReport, summaryText, type ReportOptions } from './report.js';

export interface ReportJob {
  id: string;
  options: ReportOptions;
  /** Render the figure and page too (else only the summary). */
  files: boolean;
}

export interface ReportResult {
  /** The session's full id. */
  id: string;
  /** summary.json's text, UTF-8. */
  summary: Uint8Array;
  /** report.html, figure.png, figure.svg, summary.json, when asked for. */
  files: Record<string, Uint8Array> | null;
  verdicts: { device: string; verdict: string; reason: string }[];
}

export type ReportMessage = { type: 'done'; result: ReportResult } | { type: 'error'; code: string | null; message: string; file?: string; line?: number };

const utf8 = (s: string | Buffer): Uint8Array => (typeof s === 'string' ? new TextEncoder().encode(s) : new Uint8Array(s));

async function main(): Promise<void> {
  const post = (m: ReportMessage, transfer: ArrayBuffer[] = []): void => parentPort!.postMessage(m, transfer);
  try {
    const job = workerData as ReportJob;
    const built = buildReport(job.id, job.options);
    const verdicts = Object.entries(built.summary.coupling).map(([device, c]) => ({ device, verdict: c.verdict, reason: c.reason }));
    let files: Record<string, Uint8Array> | null = null;
    let summary: Uint8Array;
    if (job.files) {
      files = Object.fromEntries(Object.entries(await renderReport(built)).map(([name, body]) => [name, utf8(body)]));
      summary = files['summary.json']!;
    } else summary = utf8(summaryText(built.summary));
    const buffers = [...new Set([summary, ...Object.values(files ?? {})].map((b) => b.buffer as ArrayBuffer))];
    post({ type: 'done', result: { id: built.data.id, summary, files, verdicts } }, buffers);
  } catch (e) {
    if (e instanceof RleError) post({ type: 'error', code: e.code, message: e.message, ...e.where });
    else post({ type: 'error', code: null, message: (e as Error).stack ?? String(e) });
  }
}

void main();
