/** `rle workload <stress|synthetic|idle>`: a standard load, monitored as a labelled session (src/app/workload-job.ts). */
import { Command } from 'commander';
import { RleError } from '../../errors.js';
import { WORKLOAD_KINDS, WorkloadJob, type WorkloadKind } from '../../app/workload-job.js';
import { renderSummary } from '../../report/text-summary.js';
import type { Pattern } from '../../workload/patterns.js';
import { addRecordingOptions, recorderOptions, type RecordingFlags } from '../recording-options.js';
import { onStopSignal } from '../signals.js';
import { addLoadOptions, addPatternOptions } from '../workload-options.js';

interface WorkloadFlags extends RecordingFlags {
  duration: number;
  threads: number;
  pattern: Pattern;
  intensity: number;
  period?: number;
}

export async function workload(kind: string, flags: WorkloadFlags): Promise<void> {
  if (!(WORKLOAD_KINDS as readonly string[]).includes(kind)) throw new RleError('E_USAGE', `unknown workload "${kind}"; one of ${WORKLOAD_KINDS.join(', ')}`);
  const out = flags.json ? process.stderr : process.stdout;
  const log = (l: string): void => void out.write(l + '\n');
  const job = await WorkloadJob.start({
    kind: kind as WorkloadKind,
    durationS: flags.duration,
    threads: flags.threads,
    pattern: flags.pattern,
    intensity: flags.intensity,
    periodS: flags.period ?? null,
    recorder: recorderOptions(flags, { kind: 'workload', durationS: flags.duration, log: (s) => log(`rle workload: ${s}`), statusLine: false }),
    log,
  });
  onStopSignal(() => job.stop());
  let r;
  try {
    r = await job.done();
  } finally {
    onStopSignal(null);
  }
  if (flags.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else {
    out.write(`\n${r.label}: session ${r.session} ${r.status}; tracking error ${r.tracking_error_pct === null ? 'n/a' : `${r.tracking_error_pct.toFixed(1)} percentage points`}\n`);
    out.write(renderSummary(r.summary, []));
  }
  if (job.recorder.outputFailure) throw job.recorder.outputFailure;
  if (r.status === 'interrupted') process.exitCode = 130;
}

export function workloadCommand(): Command {
  const cmd = new Command('workload')
    .description('run a standard load while monitoring: stress (SIMD on every core), synthetic (a utilization pattern), idle')
    .argument('<kind>', WORKLOAD_KINDS.join(' | '))
    .option('--json', 'print {"session", "status", "label", "control", "tracking_error_pct", "summary"} at the end');
  addLoadOptions(cmd, 60);
  addPatternOptions(cmd);
  addRecordingOptions(cmd);
  return cmd.action((kind: string, flags: WorkloadFlags) => workload(kind, flags));
}
