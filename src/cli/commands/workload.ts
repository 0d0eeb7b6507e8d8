/**
 * `rle workload <stress|synthetic|idle>`: a standard load, monitored as a labelled session.
 * stress keeps every core on SIMD matrix products; synthetic follows a utilization pattern
 * (constant, ramp, sine, square) by duty-cycling every core; idle is the baseline. The target
 * and the achieved utilization are logged side by side (targets stored as session events).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import os from 'node:os';
import { RleError } from '../../errors.js';
import type { SessionSummary } from '../../analysis/summary.js';
import { CpuLoad } from '../../workload/cpu-load.js';
import { PATTERNS, targetAt, type Pattern, type PatternSpec } from '../../workload/patterns.js';
import { positive, positiveInt } from '../options.js';
import { addRecordingOptions, Recording, type RecordingFlags } from '../../app/recorder.js';
import { onStopSignal } from '../signals.js';
import { renderSummary } from './analyze.js';

export const WORKLOAD_KINDS = ['stress', 'synthetic', 'idle'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export interface WorkloadFlags extends RecordingFlags {
  duration: number;
  threads: number;
  pattern: Pattern;
  intensity: number;
  period?: number;
}

export interface WorkloadResult {
  session: string;
  status: string;
  label: string;
  control: { t_s: number[]; target_pct: number[]; achieved_pct: (number | null)[] };
  /** Mean |achieved − target| over the run after its first 2 s, percentage points. */
  tracking_error_pct: number | null;
  summary: SessionSummary;
}

/** How much the duty loop lags a change: its first seconds are not held against it (s). */
const SETTLE_S = 2;

export function workloadLabel(kind: WorkloadKind, pattern: Pattern): string {
  return kind === 'synthetic' ? `synthetic-${pattern}` : kind;
}

/** Runs one workload as a recorded session; used by `rle workload` and `rle characterize`. */
export async function runWorkload(kind: WorkloadKind, flags: WorkloadFlags, log: (line: string) => void): Promise<WorkloadResult> {
  const label = workloadLabel(kind, flags.pattern);
  const spec: PatternSpec = {
    pattern: kind === 'stress' ? 'constant' : flags.pattern,
    intensity: kind === 'stress' ? 1 : kind === 'idle' ? 0 : flags.intensity,
    periodS: flags.period ?? Math.max(2, flags.duration / 4),
    durationS: flags.duration,
  };
  const rec = await Recording.start({ ...flags, name: flags.name ?? label }, {
    kind: 'workload',
    durationS: flags.duration,
    info: (s) => log(`rle workload: ${s}`),
    statusLine: false,
    manifest: { workload: { kind, label, ...spec, threads: kind === 'idle' ? 0 : flags.threads } },
  });
  const load = kind === 'idle' ? null : new CpuLoad(flags.threads);
  const control: WorkloadResult['control'] = { t_s: [], target_pct: [], achieved_pct: [] };
  const t0 = rec.mon.nowS();
  const apply = (): number => {
    const target = targetAt(spec, rec.mon.nowS() - t0);
    load?.setDuty(target);
    return target;
  };
  apply();
  const timer = setInterval(apply, 100); // the pattern is followed at 10 Hz, whatever the sampling rate
  rec.mon.onTick((r) => {
    const t = r.tick.actualS - t0;
    const target = targetAt(spec, t) * 100;
    const cpu = r.samples.find((s) => s.device === 'cpu');
    const achieved = cpu?.util_pct ?? null;
    control.t_s.push(t);
    control.target_pct.push(target);
    control.achieved_pct.push(achieved);
    rec.store.append(rec.mon.sessionId, [], [{ t: r.tick.actualS, device: 'cpu', type: 'workload_target', detail: target.toFixed(2) }]);
    log(`t ${t.toFixed(1).padStart(6)} s | target ${target.toFixed(1).padStart(5)} % | achieved ${achieved === null ? '  n/a' : achieved.toFixed(1).padStart(5)} % (cpu)`);
  });
  onStopSignal(() => {
    void load?.stop(); // the load stops at once; the session then ends in order
    void rec.mon.stop('interrupted');
  });
  let result;
  try {
    await rec.mon.run();
    clearInterval(timer);
    await load?.stop();
    result = await rec.end('completed');
  } catch (e) {
    clearInterval(timer);
    await load?.stop();
    await rec.end('failed').catch(() => undefined);
    throw e;
  } finally {
    onStopSignal(null);
  }
  const errs = control.t_s.map((t, i) => (t >= SETTLE_S && control.achieved_pct[i] !== null ? Math.abs(control.achieved_pct[i]! - control.target_pct[i]!) : null)).filter((x): x is number => x !== null);
  return {
    session: rec.mon.sessionId,
    status: result.status,
    label,
    control,
    tracking_error_pct: errs.length > 0 ? errs.reduce((a, b) => a + b, 0) / errs.length : null,
    summary: result.summary,
  };
}

function unitInterval(raw: string): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0 || v > 1) throw new InvalidArgumentError('must be between 0 and 1.');
  return v;
}

export async function workload(kind: string, flags: WorkloadFlags): Promise<void> {
  if (!(WORKLOAD_KINDS as readonly string[]).includes(kind)) throw new RleError('E_USAGE', `unknown workload "${kind}"; one of ${WORKLOAD_KINDS.join(', ')}`);
  const out = flags.json ? process.stderr : process.stdout;
  const r = await runWorkload(kind as WorkloadKind, flags, (l) => out.write(l + '\n'));
  if (flags.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else {
    out.write(`\n${r.label}: session ${r.session} ${r.status}; tracking error ${r.tracking_error_pct === null ? 'n/a' : `${r.tracking_error_pct.toFixed(1)} percentage points`}\n`);
    out.write(renderSummary(r.summary, []));
  }
  if (r.status === 'interrupted') process.exitCode = 130;
}

export function addWorkloadOptions(cmd: Command, defaultDuration: number): Command {
  return cmd
    .option('--duration <s>', 'seconds', positive, defaultDuration)
    .option('--threads <n>', 'cores to load (default: all)', positiveInt, Math.max(1, os.availableParallelism()))
    .addOption(new Option('--pattern <p>', 'synthetic: utilization pattern').choices([...PATTERNS]).default('constant'))
    .option('--intensity <x>', 'synthetic: level or peak, fraction of each core (0–1)', unitInterval, 0.5)
    .option('--period <s>', 'synthetic: period of sine and square (default duration / 4)', positive);
}

export function workloadCommand(): Command {
  const cmd = new Command('workload')
    .description('run a standard load while monitoring: stress (SIMD on every core), synthetic (a utilization pattern), idle')
    .argument('<kind>', WORKLOAD_KINDS.join(' | '))
    .option('--json', 'print {"session", "status", "label", "control", "tracking_error_pct", "summary"} at the end');
  addWorkloadOptions(cmd, 60);
  addRecordingOptions(cmd);
  return cmd.action((kind: string, flags: WorkloadFlags) => workload(kind, flags));
}
