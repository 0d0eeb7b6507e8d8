/**
 * Drives a training worker from the main thread: start it, relay its steps as they come, and
 * stop it (terminate) on demand. Errors thrown in the worker come back as RleErrors.
 */
import { Worker } from 'node:worker_threads';
import { RleError, type ErrorCode } from '../errors.js';
import type { StepResult, TrainInfo, TrainOptions } from './trainer.js';
import type { WorkerMessage } from './worker.js';

export interface TrainingHandlers {
  ready(info: TrainInfo): void;
  step(r: StepResult): void;
}

export type TrainingEnd = 'completed' | 'stopped';

export class TrainingRun {
  private readonly worker: Worker;
  private stopped = false;
  readonly done: Promise<TrainingEnd>;

  constructor(o: TrainOptions, h: TrainingHandlers) {
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: o });
    this.done = new Promise<TrainingEnd>((resolve, reject) => {
      this.worker.on('message', (m: WorkerMessage) => {
        try {
          if (m.type === 'ready') h.ready(m.info);
          else if (m.type === 'step') h.step(m.result);
          else if (m.type === 'done') resolve('completed');
          else if (m.code) reject(new RleError(m.code as ErrorCode, m.message, { file: m.file, line: m.line }));
          else reject(new Error(`training failed: ${m.message}`));
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
      this.worker.on('error', reject);
      this.worker.on('exit', () => resolve(this.stopped ? 'stopped' : 'completed'));
    });
  }

  /** Ends the run after (or instead of) the step in progress; steps already reported stand. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.worker.terminate();
  }
}
