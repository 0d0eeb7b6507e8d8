/**
 * `rle run [options] -- <command> [args…]`: runs any command, records a monitored session
 * while it runs, passes its output through, and captures its training metrics as steps
 * (src/app/run-job.ts). rle exits with the command's exit code.
 */
import { Command, Option } from 'commander';
import { RunJob } from '../../app/run-job.js';
import type { MetricFormat } from '../../capture/metric-lines.js';
import { plural, tidy } from '../../report/format.js';
import { renderSummary } from '../../report/text-summary.js';
import { addRecordingOptions, recorderOptions, type RecordingFlags } from '../recording-options.js';
import { onStopSignal } from '../signals.js';

interface RunFlags extends RecordingFlags {
  format: MetricFormat;
  metricsFile?: string;
}

export async function run(command: string[], flags: RunFlags): Promise<void> {
  const job = await RunJob.start({
    command,
    // The command owns the terminal: no status line.
    recorder: recorderOptions(flags, { kind: 'run', durationS: null, log: (s) => void process.stderr.write(`rle run: ${s}\n`), statusLine: false }),
    format: flags.format,
    metricsFile: flags.metricsFile ?? null,
    env: process.env,
    warn: (s) => void process.stderr.write(`rle run: warning: ${s}\n`),
    // With --json, rle's standard output is one JSON document: the command's own goes to stderr.
    stdout: flags.json ? process.stderr : process.stdout,
    stderr: process.stderr,
  });
  onStopSignal((sig) => job.stop(sig));
  let r;
  try {
    r = await job.done();
  } finally {
    onStopSignal(null);
  }
  const tailNote = (r.nonFinite > 0 ? `; ${r.nonFinite} with a non-finite loss` : '') + (r.burst > 0 ? `; ${r.burst} burst-stamped (left out of the time alignment)` : '');
  process.stderr.write(`rle run: "${command[0]}" exited with ${r.how}; session ${r.session} ${r.status}, ${plural(r.steps, 'training step')} captured${tailNote}\n`);
  if (flags.json) {
    const finite = (x: number | null): number | null => (x !== null && Number.isFinite(x) ? x : null);
    const steps = r.stepList.map((s) => ({ step: s.step, t: s.t, t_start: s.t_start ?? null, t_source: s.t_source ?? 'arrival', loss: finite(s.loss), grad_norm: finite(s.grad_norm), learning_rate: tidy(s.learning_rate), epoch: s.epoch, tokens: s.tokens }));
    process.stdout.write(JSON.stringify({ session: r.session, status: r.status, exit_code: r.exitCode, step_count: r.steps, burst_stamped: r.burst, steps, summary: r.summary }, null, 2) + '\n');
  }
  else process.stderr.write('\n' + renderSummary(r.summary, r.notes));
  process.exitCode = r.exitCode;
  // The command's own failure is the one to exit with; else a --csv that could not be written.
  if (r.exitCode === 0 && job.recorder.outputFailure) throw job.recorder.outputFailure;
}

export function runCommand(): Command {
  const cmd = new Command('run')
    .description('run any command, monitor while it runs, capture its training metrics (HF Trainer dicts, JSON lines, the rle_steps helper); the command gets PYTHONUNBUFFERED=1 unless set, and python/rle_steps.py on PYTHONPATH')
    .argument('<command...>', 'the command and its arguments (put -- before it)')
    .addOption(new Option('--format <fmt>', 'metric lines to capture').choices(['auto', 'hf', 'jsonl']).default('auto'))
    .option('--metrics-file <file>', 'tail this JSONL file for metrics instead of the output')
    .option('--json', 'print {"session", "status", "exit_code", "step_count", "burst_stamped", "steps", "summary"} as JSON at the end (the command\'s own output then goes to stderr)')
    .passThroughOptions();
  addRecordingOptions(cmd);
  return cmd.action((command: string[], flags: RunFlags) => run(command, flags));
}
