/**
 * `rle train`: the built-in GPT-2 training workload, monitored. The training loop runs in a
 * worker thread (src/train/worker.ts); this thread samples the sensors, stamps each step on
 * the session clock when it arrives, stores it, and prints one fixed line per step.
 */
import { Command, Option } from 'commander';
import os from 'node:os';
import { RleError } from '../../errors.js';
import type { SessionSummary } from '../../analysis/summary.js';
import { summarizeTraining, type TrainingSummary as BaseTrainingSummary } from '../../analysis/training-summary.js';
import type { TickReport } from '../../monitor/monitor.js';
import type { SessionStatus, SessionStore, StepRecord } from '../../store/session-store.js';
import { KERNEL_CHOICES, type KernelChoice } from '../../train/kernels/select.js';
import { TrainingRun } from '../../train/run-training.js';
import { PRESETS, type StepResult, type TrainInfo, type TrainOptions } from '../../train/trainer.js';
import { nonNegative, nonNegativeInt, positive, positiveInt } from '../options.js';
import { fmt } from '../output.js';
import { addRecordingOptions, Recording, type RecordingFlags } from '../recording.js';
import { onStopSignal } from '../signals.js';
import { openStore } from '../store-options.js';
import { packageVersion } from '../version.js';
import { renderSummary } from './analyze.js';
import type { RleMetrics } from '../../export/metrics.js';
import { writeReport } from './report.js';
import { COUPLING_DEFAULTS } from '../../analysis/coupling/coupling.js';

export interface TrainFlags extends RecordingFlags {
  preset: string;
  model?: string;
  dataset?: string;
  batches?: string;
  labels: 'targets' | 'hf';
  steps: number;
  batch: number;
  seq: number;
  lr: number;
  warmup: number;
  weightDecay: number;
  seed: number;
  kernels: KernelChoice;
  threads: number;
  monitor: boolean;
  report: boolean;
  reportDir?: string;
  duration?: number;
  /** Internal (rle characterize): the log to stderr, no summary or JSON at the end. */
  silent?: boolean;
}

export interface TrainingSummary extends BaseTrainingSummary {
  status: SessionStatus;
  model: TrainInfo['model'] | null;
  kernels: TrainInfo['kernels'] | null;
  thermal: SessionSummary | null;
}

/** The session a training run writes: a monitored Recording, or (--no-monitor) a bare stored session. */
interface Sink {
  id: string;
  store: SessionStore;
  nowS(): number;
  end(status: Exclude<SessionStatus, 'running'>): Promise<SessionSummary | null>;
  /** What the thermal summary cannot say (estimated power, no temperature…). */
  notes(): readonly string[];
  /** Prometheus metrics (--prometheus), to which steps go too. */
  metrics: RleMetrics | null;
}

async function openSink(flags: TrainFlags, manifest: Record<string, unknown>, onTick: (r: TickReport) => void): Promise<{ sink: Sink; sampling: Promise<void> }> {
  const info = (s: string): void => void process.stderr.write(`rle train: ${s}\n`);
  if (!flags.monitor) {
    const store = openStore(flags);
    const id = store.createSession({ kind: 'train', name: flags.name ?? null, startedAt: Date.now() / 1000, manifest: { ...manifest, tool: { name: 'rle', version: packageVersion() }, monitor: false } });
    info(`session ${id} (not monitored: --no-monitor)`);
    const sink: Sink = {
      id,
      store,
      nowS: () => Date.now() / 1000,
      end: (status) => {
        store.finish(id, status, Date.now() / 1000);
        store.close();
        return Promise.resolve(null);
      },
      notes: () => [],
      metrics: null,
    };
    return { sink, sampling: Promise.resolve() };
  }
  const rec = await Recording.start(flags, { kind: 'train', durationS: null, info, statusLine: false, manifest });
  rec.mon.onTick(onTick);
  const sink: Sink = {
    id: rec.mon.sessionId,
    store: rec.store,
    nowS: () => rec.mon.nowS(),
    end: async (status) => (await rec.end(status)).summary,
    notes: () => rec.mon.summary.notes(),
    metrics: rec.metrics,
  };
  return { sink, sampling: rec.mon.run() };
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

function stepLine(r: StepResult, steps: number, last: TickReport | null): string {
  const w = String(steps).length;
  return (
    `step ${String(r.step).padStart(w)}/${steps} | loss ${Number.isFinite(r.loss) ? r.loss.toFixed(4) : String(r.loss)} | grad_norm ${fmt(r.grad_norm, 4)}` +
    ` | lr ${r.learning_rate.toExponential(2)} | epoch ${r.epoch.toFixed(2)} | ${r.seconds.toFixed(2)} s | ${Math.round(r.tokens / r.seconds)} tok/s` +
    thermalPart(last)
  );
}

export async function train(flags: TrainFlags): Promise<{ session: string; status: SessionStatus }> {
  if (flags.model && flags.preset !== 'tiny') throw new RleError('E_USAGE', '--model and --preset are alternatives: give one');
  const o: TrainOptions = {
    preset: flags.preset,
    modelDir: flags.model ?? null,
    steps: flags.steps,
    batch: flags.batch,
    seq: flags.seq,
    lr: flags.lr,
    warmup: flags.warmup,
    weightDecay: flags.weightDecay,
    seed: flags.seed,
    dataset: flags.dataset ?? null,
    batches: flags.batches ?? null,
    labels: flags.labels,
    kernels: flags.kernels,
    threads: flags.threads,
  };
  let lastTick: TickReport | null = null;
  const { sink, sampling } = await openSink(flags, { training: { options: o } }, (r) => (lastTick = r));
  const out = flags.json || flags.silent ? process.stderr : process.stdout;
  const steps: (StepRecord & { seconds: number })[] = [];
  let info: TrainInfo | null = null;
  let t0 = 0;
  let nonFinite: StepResult | null = null;
  const run = new TrainingRun(o, {
    ready: (i) => {
      info = i;
      t0 = sink.nowS();
      const m = i.model;
      out.write(`rle train: ${m.source}: ${m.n_layer} layers × ${m.n_embd} wide, ${m.n_head} heads, ${(m.parameters / 1e6).toFixed(2)} M parameters\n`);
      out.write(`rle train: data: ${i.data.source}, batches of ${i.data.batch} × ${i.data.seq} tokens; kernels: ${i.kernels.name}\n`);
      if (i.kernels.fallback) process.stderr.write(`rle train: note: ${i.kernels.fallback}; using the portable kernels (slower)\n`);
      const manifest = sink.store.get(sink.id).manifest;
      sink.store.updateManifest(sink.id, { ...manifest, training: { options: o, ...i, started_at: t0 } });
    },
    step: (r) => {
      const rec = { step: r.step, t: sink.nowS(), loss: r.loss, grad_norm: r.grad_norm, learning_rate: r.learning_rate, tokens: r.tokens, epoch: r.epoch, seconds: r.seconds };
      steps.push(rec);
      sink.store.appendSteps(sink.id, [rec]);
      sink.metrics?.step(sink.id, rec);
      out.write(stepLine(r, o.steps, lastTick) + '\n');
      if (!Number.isFinite(r.loss) || !Number.isFinite(r.grad_norm)) nonFinite = r;
    },
  });
  let stoppedBy: NodeJS.Signals | null = null;
  let timedOut = false;
  // --duration: a planned end after the step in progress (the run is complete, not interrupted).
  const limit = flags.duration === undefined ? null : setTimeout(() => {
    timedOut = true;
    void run.stop();
  }, flags.duration * 1000);
  onStopSignal((sig) => {
    stoppedBy = sig;
    process.stderr.write(`\nrle train: ${sig}: stopping after ${steps.length} step(s)\n`);
    void run.stop();
  });
  let end: 'completed' | 'stopped';
  try {
    end = await run.done;
  } catch (e) {
    onStopSignal(null);
    if (limit) clearTimeout(limit);
    await run.stop().catch(() => undefined);
    await sink.end('failed').catch(() => undefined);
    await sampling.catch(() => undefined);
    throw e;
  }
  onStopSignal(null);
  const bad = nonFinite as StepResult | null;
  if (limit) clearTimeout(limit);
  const status: Exclude<SessionStatus, 'running'> = stoppedBy || (end === 'stopped' && !timedOut) ? 'interrupted' : bad ? 'failed' : 'completed';
  const thermal = await sink.end(status);
  await sampling;
  const summary = trainingSummary(status, steps, t0, info, thermal);
  if (flags.silent) {
    // rle characterize prints its own table
  } else if (flags.json) {
    const json = {
      session: sink.id,
      steps: steps.map((s) => ({ step: s.step, t: s.t, loss: finiteOrNull(s.loss), grad_norm: finiteOrNull(s.grad_norm), learning_rate: s.learning_rate, epoch: s.epoch })),
      summary,
    };
    process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  } else {
    out.write('\n' + renderTraining(sink.id, summary));
    if (thermal) out.write(renderSummary(thermal, sink.notes()));
  }
  if (flags.report && steps.length > 0) {
    const { files } = await writeReport(sink.id, { db: flags.db, out: flags.reportDir ?? `rle-report-${sink.id}`, lags: COUPLING_DEFAULTS.lagsS, window: COUPLING_DEFAULTS.windowS, seed: COUPLING_DEFAULTS.seed, draws: COUPLING_DEFAULTS.draws, spikeRule: COUPLING_DEFAULTS.spikeRule, device: [] });
    out.write(`\nreport: ${files!.html} (figure.png, figure.svg, summary.json beside it; rebuild with rle report ${sink.id})\n`);
  }
  if (bad) {
    throw new RleError('E_TRAINING', `step ${bad.step}: ${Number.isFinite(bad.loss) ? `gradient norm is ${bad.grad_norm}` : `loss is ${bad.loss}`}; training stopped (lower --lr, or check the data); session ${sink.id} marked failed`);
  }
  if (stoppedBy) process.exitCode = stoppedBy === 'SIGINT' ? 130 : 143;
  return { session: sink.id, status };
}

function finiteOrNull(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? x : null;
}

function trainingSummary(status: SessionStatus, steps: readonly StepRecord[], t0: number, info: TrainInfo | null, thermal: SessionSummary | null): TrainingSummary {
  return { status, ...summarizeTraining(steps, t0, info?.data.batch ?? null), model: info?.model ?? null, kernels: info?.kernels ?? null, thermal };
}

function renderTraining(id: string, s: TrainingSummary): string {
  const change = s.loss_change_pct === null ? '' : ` (${s.loss_change_pct >= 0 ? '+' : ''}${s.loss_change_pct.toFixed(1)} %)`;
  return (
    `training ${s.status}: session ${id}, ${s.steps} steps in ${fmt(s.wall_s)} s\n` +
    `  loss ${fmt(s.loss_first, 4)} → ${fmt(s.loss_last, 4)}${change}\n` +
    `  ${fmt(s.samples_per_s)} samples/s, ${fmt(s.tokens_per_s)} tokens/s${s.kernels ? ` (${s.kernels.name})` : ''}\n`
  );
}

export function trainCommand(): Command {
  const cmd = new Command('train')
    .description('train GPT-2 (built-in workload) on the CPU while monitoring; steps stored beside the telemetry')
    .addOption(new Option('--preset <name>', 'model preset (random init, seeded)').choices(Object.keys(PRESETS)).default('tiny'))
    .option('--model <dir>', 'fine-tune a Hugging Face GPT-2-family checkpoint (config.json + model.safetensors)')
    .option('--dataset <file>', 'JSONL of {"instruction","response"} or {"text"} (default: 10 built-in examples)')
    .option('--batches <file>', 'pre-tokenized batches: JSON array of {"input_ids": [[…]], "labels": [[…]]}, batch step % n')
    .addOption(new Option('--labels <kind>', '--batches labels: per-position targets, or hf (unshifted, as GPT2LMHeadModel takes them)').choices(['targets', 'hf']).default('targets'))
    .option('--steps <n>', 'optimizer steps', positiveInt, 20)
    .option('--duration <s>', 'also stop after this many seconds (the learning-rate schedule still spans --steps)', positive)
    .option('--batch <n>', 'rows per batch', positiveInt, 4)
    .option('--seq <n>', 'tokens per row', positiveInt, 128)
    .option('--lr <x>', 'peak learning rate', nonNegative, 5e-5)
    .option('--warmup <n>', 'linear warm-up steps', nonNegativeInt, 5)
    .option('--weight-decay <x>', 'AdamW weight decay (2-D weights only)', nonNegative, 0)
    .option('--seed <n>', 'seed of init and shuffle', nonNegativeInt, 42)
    .addOption(new Option('--kernels <set>', 'compute kernels').choices([...KERNEL_CHOICES]).default('auto'))
    .option('--threads <n>', 'threads for the native kernels', positiveInt, Math.max(1, os.availableParallelism()))
    .option('--no-monitor', 'do not sample sensors (the session holds the steps only)')
    .option('--no-report', 'do not write the report of the run at the end')
    .option('--report-dir <dir>', 'where the report goes (default rle-report-<session>)')
    .option('--json', 'print {"session", "steps", "summary"} as JSON at the end (the log goes to stderr)');
  addRecordingOptions(cmd);
  return cmd.action(async (flags: TrainFlags) => void (await train(flags)));
}
