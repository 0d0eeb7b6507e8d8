/**
 * `rle train` as a job: the built-in GPT-2 training workload, recorded. The training loop runs
 * in a worker thread (src/train/worker.ts); this thread samples the sensors, stamps each step
 * on the session clock when it arrives, records it, and logs one fixed line per step. The
 * caller (the CLI) decides where lines go and wires Ctrl-C to stop().
 */
import fs from 'node:fs';
import path from 'node:path';
import { RleError } from '../errors.js';
import { COUPLING_DEFAULTS } from '../analysis/coupling/coupling.js';
import type { SessionSummary } from '../analysis/summary.js';
import { summarizeTraining, type TrainingSummary as BaseTrainingSummary } from '../analysis/training-summary.js';
import { fmt } from '../report/format.js';
import type { TickReport } from '../sampler/sampler.js';
import type { EndStatus, StepRecord } from '../store/session-store.js';
import { preflightTraining } from '../train/preflight.js';
import { TrainingRun } from '../train/run-training.js';
import type { StepResult, TrainInfo, TrainOptions } from '../train/trainer.js';
import { Recorder, type RecorderOptions } from './recorder.js';
import { buildReport, renderReport, writeReportFolder } from './report.js';

export interface TrainJobOptions {
  readonly train: TrainOptions;
  readonly recorder: RecorderOptions;
  /** Also stop after this many seconds (a planned end: the session is `completed`). */
  readonly durationS: number | null;
  /** Where the report goes at the end (`{id}` is replaced by the session id), or null for none. */
  readonly reportDir: string | null;
  /** Model, data and step lines. */
  readonly out: (line: string) => void;
  /** Notes (kernel fallbacks…). */
  readonly note: (line: string) => void;
}

export interface TrainingSummary extends BaseTrainingSummary {
  status: EndStatus;
  model: TrainInfo['model'] | null;
  kernels: TrainInfo['kernels'] | null;
  thermal: SessionSummary | null;
}

export interface TrainJobResult {
  readonly session: string;
  readonly status: EndStatus;
  readonly steps: readonly StepRecord[];
  readonly summary: TrainingSummary;
  /** What the thermal summary cannot say. */
  readonly notes: readonly string[];
  /** report.html, when a report was written. */
  readonly report: string | null;
  /** The signal that interrupted the run, if one did. */
  readonly signal: NodeJS.Signals | null;
  /** Why the run failed (a diverging loss), to be raised once the summary is out. */
  readonly failure: RleError | null;
}

function thermalPart(r: TickReport | null): string {
  if (!r) return '';
  return r.samples
    .map((s, i) => {
      const m = r.metrics[i]!;
      const temp = s.temp_c === null ? '' : ` ${fmt(s.temp_c)}°C`;
      return ` | ${s.device} ${fmt(s.util_pct)}%${temp} rle ${fmt(m.rle_smoothed)}${m.collapse ? ' COLLAPSE' : ''}`;
    })
    .join('');
}

/** One fixed-format line per step (nanoGPT's rule), with the machine's state at the last tick. */
export function stepLine(r: StepResult, steps: number, last: TickReport | null): string {
  const w = String(steps).length;
  return (
    `step ${String(r.step).padStart(w)}/${steps} | loss ${Number.isFinite(r.loss) ? r.loss.toFixed(4) : String(r.loss)} | grad_norm ${fmt(r.grad_norm, 4)}` +
    ` | lr ${r.learning_rate.toExponential(2)} | epoch ${r.epoch.toFixed(2)} | ${r.seconds.toFixed(2)} s | ${Math.round(r.tokens / r.seconds)} tok/s` +
    thermalPart(last)
  );
}

/** A report folder that cannot be created should fail before a long run, not after it. */
function checkReportDir(dir: string): void {
  const parent = path.dirname(path.resolve(dir));
  if (!fs.existsSync(parent) || !fs.statSync(parent).isDirectory()) {
    throw new RleError('E_OUTPUT', `cannot write the report: folder ${parent} does not exist`, { file: dir });
  }
  try {
    fs.accessSync(parent, fs.constants.W_OK);
  } catch {
    throw new RleError('E_OUTPUT', `cannot write the report: folder ${parent} is not writable`, { file: dir });
  }
}

export class TrainJob {
  private run: TrainingRun | null = null;
  private signal: NodeJS.Signals | null = null;
  private timedOut = false;
  private readonly steps: StepRecord[] = [];
  private info: TrainInfo | null = null;
  private t0 = 0;
  private nonFinite: StepResult | null = null;
  private lastTick: TickReport | null = null;

  private constructor(
    private readonly o: TrainJobOptions,
    readonly recorder: Recorder,
  ) {}

  static async start(o: TrainJobOptions): Promise<TrainJob> {
    if (o.train.modelDir && o.train.preset !== 'tiny') throw new RleError('E_USAGE', '--model and --preset are alternatives: give one');
    if (o.reportDir) checkReportDir(o.reportDir.replace('{id}', 'x'));
    // The options, model and data are checked before the session exists: a bad --dataset,
    // --batches or --seq must not leave an empty failed session behind.
    await preflightTraining(o.train);
    const recorder = await Recorder.start({ ...o.recorder, manifest: { ...o.recorder.manifest, training: { options: o.train } } });
    const job = new TrainJob(o, recorder);
    recorder.addSink({ name: 'train log', write: (r) => void (job.lastTick = r), flush: () => Promise.resolve(), close: () => Promise.resolve() });
    return job;
  }

  get id(): string {
    return this.recorder.id;
  }

  /** Ctrl-C / SIGTERM: the session ends `interrupted` after the step in progress. */
  stop(signal: NodeJS.Signals): void {
    this.signal = signal;
    this.o.note(`${signal}: stopping after ${this.steps.length} step(s)`);
    void this.run?.stop();
  }

  private ready(i: TrainInfo): void {
    this.info = i;
    this.t0 = this.recorder.nowS();
    const m = i.model;
    this.o.out(`rle train: ${m.source}: ${m.n_layer} layers × ${m.n_embd} wide, ${m.n_head} heads, ${(m.parameters / 1e6).toFixed(2)} M parameters`);
    this.o.out(`rle train: data: ${i.data.source}, batches of ${i.data.batch} × ${i.data.seq} tokens; kernels: ${i.kernels.name}`);
    if (i.kernels.fallback) this.o.note(`note: ${i.kernels.fallback}; using the portable kernels (slower)`);
    this.recorder.patchManifest({ training: { options: this.o.train, ...i, started_at: this.t0 } });
  }

  private step(r: StepResult): void {
    const t = this.recorder.nowS();
    // The worker timed the step itself (forward, backward, update); its message arrives within a millisecond of the end.
    const rec: StepRecord = { step: r.step, t, t_start: t - r.seconds, t_source: 'own', loss: r.loss, grad_norm: r.grad_norm, learning_rate: r.learning_rate, tokens: r.tokens, epoch: r.epoch };
    this.steps.push(rec);
    void this.recorder.step(rec);
    this.o.out(stepLine(r, this.o.train.steps, this.lastTick));
    if (!Number.isFinite(r.loss) || !Number.isFinite(r.grad_norm)) this.nonFinite = r;
  }

  /** Trains to the end (steps, duration, stop(), divergence); returns what happened. */
  async done(): Promise<TrainJobResult> {
    const sampling = this.recorder.run();
    this.run = new TrainingRun(this.o.train, { ready: (i) => this.ready(i), step: (r) => this.step(r) });
    if (this.signal) void this.run.stop();
    const limit = this.o.durationS === null ? null : setTimeout(() => {
      this.timedOut = true;
      void this.run?.stop();
    }, this.o.durationS * 1000);
    let end: 'completed' | 'stopped';
    try {
      end = await this.run.done;
    } catch (e) {
      await this.run.stop().catch(() => undefined);
      await this.recorder.end('failed').catch(() => undefined);
      await sampling.catch(() => undefined);
      throw e;
    } finally {
      if (limit) clearTimeout(limit);
    }
    const bad = this.nonFinite;
    const status: EndStatus = this.signal || (end === 'stopped' && !this.timedOut) ? 'interrupted' : bad ? 'failed' : 'completed';
    const rec = await this.recorder.end(status);
    await sampling;
    const thermal = this.o.recorder.sampling ? rec.summary : null;
    const summary: TrainingSummary = {
      status,
      ...summarizeTraining(this.steps, this.t0, this.info?.data.batch ?? null),
      model: this.info?.model ?? null,
      kernels: this.info?.kernels ?? null,
      thermal,
    };
    const report = this.o.reportDir && this.steps.length > 0 ? await this.writeReport(this.o.reportDir.replace('{id}', this.id)) : null;
    const failure = bad
      ? new RleError('E_TRAINING', `step ${bad.step}: ${Number.isFinite(bad.loss) ? `gradient norm is ${bad.grad_norm}` : `loss is ${bad.loss}`}; training stopped (lower --lr, or check the data); session ${this.id} marked failed`)
      : null;
    return { session: this.id, status, steps: this.steps, summary, notes: thermal ? rec.notes : [], report, signal: this.signal, failure };
  }

  private async writeReport(dir: string): Promise<string> {
    const built = buildReport(this.id, { db: this.o.recorder.db, devices: [], coupling: COUPLING_DEFAULTS });
    await writeReportFolder(dir, await renderReport(built));
    return path.join(dir, 'report.html');
  }
}
