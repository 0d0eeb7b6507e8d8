/**
 * A standard load, recorded as a labelled session: stress keeps every core on SIMD matrix
 * products; synthetic follows a utilization pattern (constant, ramp, sine, square) by
 * duty-cycling every core; idle is the baseline. The target and the achieved utilization are
 * logged side by side; the pattern (with its start time) is in the manifest, so the target at
 * any time can be recomputed from the store.
 */
import type { SessionSummary } from '../analysis/summary.js';
import type { TickReport } from '../sampler/sampler.js';
import type { EndStatus } from '../store/session-store.js';
import { CpuLoad } from '../workload/cpu-load.js';
import { targetAt, type Pattern, type PatternSpec } from '../workload/patterns.js';
import { Recorder, type RecorderOptions } from './recorder.js';

export const WORKLOAD_KINDS = ['stress', 'synthetic', 'idle'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export interface WorkloadOptions {
  readonly kind: WorkloadKind;
  readonly durationS: number;
  readonly threads: number;
  readonly pattern: Pattern;
  /** Level or peak, fraction of each core (0–1). */
  readonly intensity: number;
  /** Period of sine and square, s (default duration / 4, at least 2 s). */
  readonly periodS: number | null;
  readonly recorder: RecorderOptions;
  /** A line per tick: target and achieved utilization. */
  readonly log: (line: string) => void;
}

export interface WorkloadResult {
  session: string;
  status: EndStatus;
  label: string;
  /**
   * Per tick: the target, the CPU's utilization (machine-wide: other processes count too), and
   * the load's own share of each core's time since the previous tick spent computing on it
   * (its threads' CPU time: what this workload did), and the share it slept by choice. On a
   * busy machine the two add up to less than 100: the rest, other work had the core.
   */
  control: { t_s: number[]; target_pct: number[]; achieved_pct: (number | null)[]; load_pct: (number | null)[]; load_asleep_pct: (number | null)[] };
  /** Mean |achieved − target| over the run after its first 2 s, percentage points (machine-wide). */
  tracking_error_pct: number | null;
  summary: SessionSummary;
}

/** How much the duty loop lags a change: its first seconds are not held against it (s). */
const SETTLE_S = 2;
/** How often the duty follows the pattern, ms (10 Hz, whatever the sampling rate). */
const FOLLOW_MS = 100;

export function workloadLabel(kind: WorkloadKind, pattern: Pattern): string {
  return kind === 'synthetic' ? `synthetic-${pattern}` : kind;
}

function trackingError(c: WorkloadResult['control']): number | null {
  const errs = c.t_s.flatMap((t, i) => (t >= SETTLE_S && c.achieved_pct[i] !== null ? [Math.abs(c.achieved_pct[i]! - c.target_pct[i]!)] : []));
  return errs.length > 0 ? errs.reduce((a, b) => a + b, 0) / errs.length : null;
}

export class WorkloadJob {
  private readonly control: WorkloadResult['control'] = { t_s: [], target_pct: [], achieved_pct: [], load_pct: [], load_asleep_pct: [] };
  private interrupted = false;
  private load: CpuLoad | null = null;

  private constructor(
    private readonly o: WorkloadOptions,
    private readonly spec: PatternSpec,
    readonly label: string,
    readonly recorder: Recorder,
    /** The manifest's `workload` entry. */
    private readonly entry: Record<string, unknown>,
  ) {}

  static async start(o: WorkloadOptions): Promise<WorkloadJob> {
    const label = workloadLabel(o.kind, o.pattern);
    const spec: PatternSpec = {
      pattern: o.kind === 'stress' ? 'constant' : o.pattern,
      intensity: o.kind === 'stress' ? 1 : o.kind === 'idle' ? 0 : o.intensity,
      periodS: o.periodS ?? Math.max(2, o.durationS / 4),
      durationS: o.durationS,
    };
    const entry = { kind: o.kind, label, ...spec, threads: o.kind === 'idle' ? 0 : o.threads };
    const recorder = await Recorder.start({ ...o.recorder, name: o.recorder.name ?? label, manifest: { ...o.recorder.manifest, workload: entry } });
    return new WorkloadJob(o, spec, label, recorder, entry);
  }

  /** Ctrl-C: the load stops at once; the session then ends `interrupted`, in order. */
  stop(): void {
    this.interrupted = true;
    void this.load?.stop();
    this.recorder.stop();
  }

  private onTick(r: TickReport, t0: number): void {
    const t = r.tick.actualS - t0;
    const target = targetAt(this.spec, t) * 100;
    const achieved = r.samples.find((s) => s.device === 'cpu')?.util_pct ?? null;
    this.control.t_s.push(t);
    this.control.target_pct.push(target);
    this.control.achieved_pct.push(achieved);
    // No load (idle): it computed nothing and slept throughout.
    const own = this.load ? this.load.achieved() : { onCpu: 0, asleep: 1 };
    const load = own === null ? null : own.onCpu * 100;
    this.control.load_pct.push(load);
    this.control.load_asleep_pct.push(own === null ? null : own.asleep * 100);
    const pct = (x: number | null): string => (x === null ? '  n/a' : x.toFixed(1).padStart(5));
    this.o.log(`t ${t.toFixed(1).padStart(6)} s | target ${pct(target)} % | achieved ${pct(achieved)} % (cpu) | load ${pct(load)} % of each core`);
  }

  async done(): Promise<WorkloadResult> {
    const rec = this.recorder;
    const t0 = rec.nowS();
    rec.patchManifest({ workload: { ...this.entry, started_at: t0 } });
    this.load = this.o.kind === 'idle' ? null : new CpuLoad(this.o.threads);
    const follow = (): void => this.load?.setDuty(targetAt(this.spec, rec.nowS() - t0));
    follow();
    const timer = setInterval(follow, FOLLOW_MS);
    rec.addSink({ name: 'workload control', write: (r) => this.onTick(r, t0), flush: () => Promise.resolve(), close: () => Promise.resolve() });
    let end;
    try {
      await rec.run();
      clearInterval(timer);
      await this.load?.stop();
      end = await rec.end(this.interrupted ? 'interrupted' : 'completed');
    } catch (e) {
      clearInterval(timer);
      await this.load?.stop();
      await rec.end('failed').catch(() => undefined);
      throw e;
    }
    return { session: rec.id, status: end.status as EndStatus, label: this.label, control: this.control, tracking_error_pct: trackingError(this.control), summary: end.summary };
  }
}
