/**
 * `rle run [options] -- <command> [args…]`: runs any command, records a monitored session
 * while it runs, passes its output through, and captures its training metrics as steps
 * (src/app/run-job.ts). rle exits with the command's exit code.
 */
import { Command, Option } from 'commander';
import { RunJob } from '../../app/run-job.js';
import type { MetricFormat } from '../../capture/metric-lines.js';
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
    stdout: process.stdout,
    stderr: process.stderr,
  });
  onStopSignal((sig) => job.stop(sig));
  let r;
  try {
    r = await job.done();
  } finally {
    onStopSignal(null);
  }
  const tailNote = r.nonFinite > 0 ? `; ${r.nonFinite} with a non-finite loss` : '';
  process.stderr.write(`rle run: "${command[0]}" exited with ${r.how}; session ${r.session} ${r.status}, ${r.steps} training steps captured${tailNote}\n`);
  if (flags.json) process.stdout.write(JSON.stringify({ session: r.session, status: r.status, exit_code: r.exitCode, steps: r.steps, summary: r.summary }, null, 2) + '\n');
  else process.stderr.write('\n' + renderSummary(r.summary, r.notes));
  process.exitCode = r.exitCode;
}

export function runCommand(): Command {
  const cmd = new Command('run')
    .description('run any command, monitor while it runs, capture its training metrics (HF Trainer dicts, JSON lines)')
    .argument('<command...>', 'the command and its arguments (put -- before it)')
    .addOption(new Option('--format <fmt>', 'metric lines to capture').choices(['auto', 'hf', 'jsonl']).default('auto'))
    .option('--metrics-file <file>', 'tail this JSONL file for metrics instead of the output')
    .option('--json', 'print {"session", "status", "exit_code", "steps", "summary"} as JSON at the end')
    .passThroughOptions();
  addRecordingOptions(cmd);
  return cmd.action((command: string[], flags: RunFlags) => run(command, flags));
}
