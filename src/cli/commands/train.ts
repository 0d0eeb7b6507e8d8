/** `rle train`: the built-in GPT-2 training workload, monitored (src/app/train-job.ts). */
import { Command, Option } from 'commander';
import { TrainJob } from '../../app/train-job.js';
import { tidy } from '../../report/format.js';
import { renderSummary, renderTraining } from '../../report/text-summary.js';
import { DEFAULT_LR, TRAIN_DEFAULTS, defaultThreads, trainOptions } from '../../train/defaults.js';
import { KERNEL_CHOICES, type KernelChoice } from '../../train/kernels/select.js';
import { PRESETS } from '../../train/trainer.js';
import { nonNegative, nonNegativeInt, positive, positiveInt } from '../options.js';
import { addRecordingOptions, recorderOptions, type RecordingFlags } from '../recording-options.js';
import { onStopSignal } from '../signals.js';

interface TrainFlags extends RecordingFlags {
  preset: string;
  model?: string;
  dataset?: string;
  batches?: string;
  labels: 'targets' | 'hf';
  steps: number;
  batch: number;
  seq: number;
  lr?: number;
  warmup: number;
  weightDecay: number;
  seed: number;
  kernels: KernelChoice;
  threads: number;
  monitor: boolean;
  report: boolean;
  reportDir?: string;
  duration?: number;
}

export async function train(flags: TrainFlags): Promise<void> {
  const { preset, model, dataset, batches, labels, steps, batch, seq, lr, warmup, weightDecay, seed, kernels, threads } = flags;
  const o = trainOptions({ preset, modelDir: model ?? null, dataset: dataset ?? null, batches: batches ?? null, labels, steps, batch, seq, lr, warmup, weightDecay, seed, kernels, threads });
  const out = flags.json ? process.stderr : process.stdout;
  const info = (s: string): void => void process.stderr.write(`rle train: ${s}\n`);
  const job = await TrainJob.start({
    train: o,
    recorder: recorderOptions(flags, { kind: 'train', durationS: null, log: info, statusLine: false, sample: flags.monitor }),
    durationS: flags.duration ?? null,
    reportDir: flags.report ? (flags.reportDir ?? 'rle-report-{id}') : null,
    out: (l) => void out.write(l + '\n'),
    note: info,
  });
  onStopSignal((sig) => job.stop(sig));
  let r;
  try {
    r = await job.done();
  } finally {
    onStopSignal(null);
  }
  if (flags.json) {
    const finite = (x: number | null): number | null => (x !== null && Number.isFinite(x) ? x : null);
    const list = r.steps.map((s) => ({ step: s.step, t: s.t, t_start: s.t_start ?? null, loss: finite(s.loss), grad_norm: finite(s.grad_norm), learning_rate: tidy(s.learning_rate), epoch: s.epoch, tokens: s.tokens }));
    process.stdout.write(JSON.stringify({ session: r.session, steps: list, summary: r.summary, report: r.report }, null, 2) + '\n');
  } else {
    out.write('\n' + renderTraining(r.session, r.summary));
    if (r.summary.thermal) out.write(renderSummary(r.summary.thermal, r.notes));
  }
  if (r.report) out.write(`\nreport: ${r.report} (figure.png, figure.svg, summary.json beside it; rebuild with rle report ${r.session})\n`);
  if (r.failure) throw r.failure;
  if (job.recorder.outputFailure) throw job.recorder.outputFailure;
  if (r.signal) process.exitCode = r.signal === 'SIGINT' ? 130 : 143;
}

export function trainCommand(): Command {
  const d = TRAIN_DEFAULTS;
  const cmd = new Command('train')
    .description('train GPT-2 (built-in workload) on the CPU while monitoring; steps stored beside the telemetry')
    .addOption(new Option('--preset <name>', 'model preset (random init, seeded)').choices(Object.keys(PRESETS)).default(d.preset))
    .option('--model <dir>', 'fine-tune a Hugging Face GPT-2-family checkpoint (config.json + model.safetensors)')
    .option('--dataset <file>', 'JSONL of {"instruction","response"} or {"text"} (default: 10 built-in examples)')
    .option('--batches <file>', 'pre-tokenized batches: JSON array of {"input_ids": [[…]], "labels": [[…]]}, batch step % n')
    .addOption(new Option('--labels <kind>', '--batches labels: per-position targets, or hf (unshifted, as GPT2LMHeadModel takes them)').choices(['targets', 'hf']).default(d.labels))
    .option('--steps <n>', 'optimizer steps', positiveInt, d.steps)
    .option('--duration <s>', 'also stop after this many seconds (the learning-rate schedule still spans --steps)', positive)
    .option('--batch <n>', 'rows per batch', positiveInt, d.batch)
    .option('--seq <n>', 'tokens per row', positiveInt, d.seq)
    .option('--lr <x>', `peak learning rate (default: ${DEFAULT_LR.presets.tiny} for the tiny preset, ${DEFAULT_LR.presets.distilgpt2} for distilgpt2, from scratch; ${DEFAULT_LR.pretrained} with --model)`, nonNegative)
    .option('--warmup <n>', 'linear warm-up steps', nonNegativeInt, d.warmup)
    .option('--weight-decay <x>', 'AdamW weight decay (2-D weights only)', nonNegative, d.weightDecay)
    .option('--seed <n>', 'seed of init and shuffle', nonNegativeInt, d.seed)
    .addOption(new Option('--kernels <set>', 'compute kernels').choices([...KERNEL_CHOICES]).default(d.kernels))
    .option('--threads <n>', 'threads for the native kernels', positiveInt, defaultThreads())
    .option('--no-monitor', 'do not sample sensors (the session holds the steps only)')
    .option('--no-report', 'do not write the report of the run at the end')
    .option('--report-dir <dir>', 'where the report goes (default rle-report-<session>)')
    .option('--json', 'print {"session", "steps", "summary", "report"} as JSON at the end (the log goes to stderr)');
  addRecordingOptions(cmd);
  return cmd.action((flags: TrainFlags) => train(flags));
}
