/**
 * One device's surrogate tests on their own thread (lagCorrelationTests on a SurrogateJob), so
 * that a report runs the devices' tests side by side, and beside its throttle and cost summary.
 * Message out: the tests (their arrays transferred), or the error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SurrogateJob } from '../analysis/coupling/coupling.js';
import { lagCorrelationTests, type PairTest } from '../analysis/coupling/surrogate-test.js';

export type SurrogateMessage = { type: 'done'; tests: PairTest[] } | { type: 'error'; message: string };

try {
  const job = workerData as SurrogateJob;
  const tests = lagCorrelationTests(job.training, job.pairs, job.K, job.stop, job.seed);
  parentPort!.postMessage({ type: 'done', tests } satisfies SurrogateMessage, tests.flatMap((t) => [t.r.buffer as ArrayBuffer, t.n.buffer as ArrayBuffer]));
} catch (e) {
  parentPort!.postMessage({ type: 'error', message: (e as Error).stack ?? String(e) } satisfies SurrogateMessage);
}
