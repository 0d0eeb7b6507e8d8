/**
 * The threads of `rle report`: the report is computed on a worker (report-worker.ts), so the
 * main thread stays free to hear Ctrl-C and SIGTERM and stop it at once; there, each device's
 * surrogate tests run on a thread of their own (surrogate-worker.ts) beside the rest.
 *
 * The report worker's heap is capped at about twice what the session is expected to hold live
 * (heapCapMb): V8 otherwise lets garbage pile up to 3× the live heap between full collections
 * (a day of telemetry and 500,000 steps: ~420 MB live, 1.0–1.1 GB RSS uncapped, ~0.75 GB
 * capped). Should a session need more than its cap, the report is computed again uncapped.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SurrogateJob } from '../analysis/coupling/coupling.js';
import type { PairTest } from '../analysis/coupling/surrogate-test.js';
import { RleError, type ErrorCode } from '../errors.js';
import type { ReportOptions } from './report.js';
import type { ReportJob, ReportMessage, ReportResult } from './report-worker.js';
import { withStore } from './session-input.js';
import type { SurrogateMessage } from './surrogate-worker.js';
import type { StepsMessage } from './steps-worker.js';
import type { StepRecord } from '../store/session-store.js';
import { fromColumns } from '../store/step-columns.js';

/** A report stopped before it was done (Ctrl-C, SIGTERM): nothing was written. */
export class ReportInterrupted extends Error {
  constructor() {
    super('interrupted; no report written');
    this.name = 'ReportInterrupted';
  }
}

/**
 * Heap for a report, MB: 1.6 × (150 MB of code, figure and summary + ~0.55 kB a step + ~0.2 kB
 * a sample), at least 640 — measured live peaks: 500,000 steps and 172,800 samples ~420 MB.
 */
export function heapCapMb(size: { steps: number; samples: number }): number {
  return Math.round(Math.max(640, 1.6 * (150 + 0.00055 * size.steps + 0.0002 * size.samples)));
}

/** Steps and samples of the session (at most), or null when it cannot be told here (the worker then reports why). */
function sessionSize(db: string, id: string): { steps: number; samples: number } | null {
  try {
    return withStore(db, (s) => s.sizeBound(s.get(id).id));
  } catch {
    return null;
  }
}

/**
 * buildReport and renderReport on a worker thread (report-worker.ts), so that the calling
 * thread can stop it at once: `signal` aborts it (the worker is terminated, the promise rejects
 * with ReportInterrupted). Errors thrown there come back as they were (RleErrors with their code).
 * @param files render the figure and page too, else only the summary
 * @param heapMb the worker's heap cap, MB (default heapCapMb of the session; null: none)
 */
export async function reportInWorker(id: string, o: ReportOptions, files: boolean, signal?: AbortSignal, heapMb?: number | null): Promise<ReportResult> {
  const job: ReportJob = { id, options: o, files };
  const cap = heapMb === undefined ? ((size) => (size ? heapCapMb(size) : null))(sessionSize(o.db, id)) : heapMb;
  try {
    return await onWorker(job, cap, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_WORKER_OUT_OF_MEMORY') throw e;
    return onWorker(job, null, signal);
  }
}

function onWorker(job: ReportJob, heapMb: number | null, signal?: AbortSignal): Promise<ReportResult> {
  if (signal?.aborted) return Promise.reject(new ReportInterrupted());
  const worker = new Worker(new URL('./report-worker.js', import.meta.url), { workerData: job, ...(heapMb ? { resourceLimits: { maxOldGenerationSizeMb: heapMb } } : {}) });
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
 * The surrogate tests' runner for a report: a thread per device, as many at once as there are
 * cores. The report's own thread is busy beside them only while it computes the throttle and
 * cost summary and draws the figure, and then waits on them: one fewer left a core idle for
 * that wait (bench/report.mjs, a day with 500,000 steps on 2 cores: 16.4–16.7 s → 14.1–14.7 s).
 */
export function surrogateThreads(): (job: SurrogateJob) => Promise<PairTest[]> {
  return limited(Math.max(1, os.availableParallelism()), surrogateTestsInWorker);
}

/** `f`, with at most `n` calls in flight; the others wait their turn, in order. */
function limited<A, R>(n: number, f: (a: A) => Promise<R>): (a: A) => Promise<R> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (a) => {
    if (active >= n) await new Promise<void>((go) => waiting.push(go));
    active++;
    try {
      return await f(a);
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** A stored session's steps (full id), read on a worker thread (steps-worker.ts). */
export function stepsInWorker(db: string, id: string): Promise<StepRecord[]> {
  const worker = new Worker(new URL('./steps-worker.js', import.meta.url), { workerData: { db, id } });
  return new Promise<StepRecord[]>((resolve, reject) => {
    worker.once('message', (m: StepsMessage) => (m.type === 'done' ? resolve(fromColumns(m.columns)) : reject(new Error(`reading the steps failed: ${m.message}`))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`steps worker exited with code ${code} before it was done`)));
  });
}

/** lagCorrelationTests(job…) on a worker thread. */
export function surrogateTestsInWorker(job: SurrogateJob): Promise<PairTest[]> {
  const worker = new Worker(new URL('./surrogate-worker.js', import.meta.url), { workerData: job });
  return new Promise<PairTest[]>((resolve, reject) => {
    worker.once('message', (m: SurrogateMessage) => (m.type === 'done' ? resolve(m.tests) : reject(new Error(`surrogate tests failed: ${m.message}`))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`surrogate worker exited with code ${code} before it was done`)));
  });
}
