/**
 * The training loop's thread: runs a Trainer off the main thread, so the sampler keeps its
 * ticks while a step computes. Messages out: ready (info), step (result), error, done.
 * Stopping is the main thread's worker.terminate(); a step either reported or did not happen.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RleError } from '../errors.js';
import { Trainer, type StepResult, type TrainInfo, type TrainOptions } from './trainer.js';

export type WorkerMessage =
  | { type: 'ready'; info: TrainInfo }
  | { type: 'step'; result: StepResult }
  | { type: 'error'; code: string | null; message: string; file?: string; line?: number }
  | { type: 'done' };

async function main(): Promise<void> {
  const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
  try {
    const o = workerData as TrainOptions;
    const trainer = await Trainer.create(o);
    post({ type: 'ready', info: trainer.info });
    for (let i = 0; i < o.steps; i++) {
      const r = trainer.step();
      post({ type: 'step', result: r });
      if (!Number.isFinite(r.loss) || !Number.isFinite(r.grad_norm)) break; // the main thread reports it
      // Let the message go out (and a terminate() in) between steps.
      await new Promise((res) => setImmediate(res));
    }
    post({ type: 'done' });
  } catch (e) {
    if (e instanceof RleError) post({ type: 'error', code: e.code, message: e.message, ...e.where });
    else post({ type: 'error', code: null, message: (e as Error).stack ?? String(e) });
  }
}

void main();
