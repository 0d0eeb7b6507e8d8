/**
 * `rle run [options] -- <command> [args…]`: runs any command (no shell), records a monitored
 * session while it runs, passes its output through, and captures its training metrics as
 * steps on the session clock. rle exits with the command's exit code.
 */
import { Command, Option } from 'commander';
import { spawn } from 'node:child_process';
import os from 'node:os';
import { RleError } from '../../errors.js';
import type { MetricFormat } from '../../capture/metric-lines.js';
import { StepCollector } from '../../capture/step-collector.js';
import { FileTail } from '../../capture/tail-file.js';
import { addRecordingOptions, Recording, type RecordingFlags } from '../../app/recorder.js';
import { onStopSignal } from '../signals.js';
import { renderSummary } from './analyze.js';

interface RunFlags extends RecordingFlags {
  format: MetricFormat;
  metricsFile?: string;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export async function run(command: string[], flags: RunFlags): Promise<void> {
  const [exe, ...args] = command;
  if (!exe) throw new RleError('E_USAGE', 'no command to run (rle run [options] -- <command> [args…])');
  const rec = await Recording.start(flags, {
    kind: 'run',
    durationS: null,
    info: (s) => void process.stderr.write(`rle run: ${s}\n`),
    statusLine: false, // the command owns the terminal
    manifest: { command },
  });
  const steps = new StepCollector(rec.store, rec.mon.sessionId, () => rec.mon.nowS(), flags.format, rec.metrics ? (s) => rec.metrics!.step(rec.mon.sessionId, s) : null);
  const sampling = rec.mon.run();
  let exit: Exit;
  let tail: FileTail | null = null;
  let forwarded: NodeJS.Signals | null = null;
  try {
    // An argument vector, never a shell string: nothing the user typed is interpolated.
    const child = spawn(exe, args, { stdio: ['inherit', 'pipe', 'pipe'] });
    const fromOut = steps.stream();
    const fromErr = steps.stream();
    child.stdout.on('data', (c: Buffer) => {
      process.stdout.write(c);
      if (!flags.metricsFile) fromOut(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      process.stderr.write(c);
      if (!flags.metricsFile) fromErr(c);
    });
    if (flags.metricsFile) {
      const fromFile = steps.stream();
      tail = new FileTail(flags.metricsFile, fromFile);
      tail.start();
    }
    onStopSignal((sig) => {
      forwarded = sig;
      child.kill(sig); // forwarded; the command decides how to end
    });
    exit = await new Promise<Exit>((resolve, reject) => {
      child.once('error', (e: NodeJS.ErrnoException) =>
        reject(new RleError('E_INPUT_MISSING', e.code === 'ENOENT' ? `cannot run "${exe}": no such command` : `cannot run "${exe}": ${e.message}`)),
      );
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    fromOut(null);
    fromErr(null);
    await tail?.stop();
  } catch (e) {
    onStopSignal(null);
    await tail?.stop();
    steps.flush();
    await rec.end('failed');
    await sampling.catch(() => undefined);
    throw e;
  }
  onStopSignal(null);
  steps.flush();
  // Killed, or ended after we passed it Ctrl-C/SIGTERM (even if it exited with a code of its own).
  const status = exit.signal || (forwarded && exit.code !== 0) ? 'interrupted' : exit.code === 0 ? 'completed' : 'failed';
  const { summary } = await rec.end(status);
  await sampling;
  const code = exit.code ?? 128 + (os.constants.signals[exit.signal!] ?? 0);
  const tailNote = steps.nonFinite > 0 ? `; ${steps.nonFinite} with a non-finite loss` : '';
  process.stderr.write(`rle run: "${exe}" exited with ${exit.signal ?? `code ${exit.code}`}; session ${rec.mon.sessionId} ${status}, ${steps.count} training steps captured${tailNote}\n`);
  if (flags.json) process.stdout.write(JSON.stringify({ session: rec.mon.sessionId, status, exit_code: code, steps: steps.count, summary }, null, 2) + '\n');
  else process.stderr.write('\n' + renderSummary(summary, rec.mon.summary.notes()));
  process.exitCode = code;
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
