/**
 * The report's summary (`summary.json`, `rle report --json`): training, thermal and coupling
 * per device, with what the session's provenance makes meaningless. Built from the store
 * alone, so a report can be rebuilt at any time.
 */
import { deviceCoupling, couplingMethod, fluctuations, planCoupling, COUPLING_DEFAULTS, type CouplingOptions, type DeviceCoupling, type SurrogateJob } from '../analysis/coupling/coupling.js';
import type { PairTest } from '../analysis/coupling/surrogate-test.js';
import type { DeviceSeries, SessionData } from '../replay/series.js';
import type { StepRecord } from '../store/session-store.js';
import type { DeviceSummary } from '../analysis/summary.js';
import { summarizeTraining, type TrainingSummary } from '../analysis/training-summary.js';
import type { FigureSummary } from './figure.js';
import { costSummary, type CostSummary } from './throttle-summary.js';

export interface ReportSummary {
  session: string;
  kind: string | null;
  name: string | null;
  status: string | null;
  started_at: string | null;
  training: (TrainingSummary & { model: unknown; kernels: unknown }) | null;
  thermal: Record<string, DeviceSummary>;
  coupling: Record<string, DeviceCoupling>;
  /** Per device: was it throttled, when, why, from what evidence. */
  throttle: CostSummary['throttle'];
  /** What the throttled steps cost in time (and energy) over an unthrottled step. */
  throttle_tax: CostSummary['throttle_tax'];
  /** Per device: energy of the run, per step and per token, from measured counters only. */
  energy: CostSummary['energy'];
  /** Per step: start, end, duration, throttled share (the figure's step-time panel). */
  step_times: CostSummary['step_times'];
  /** The answer in one line. */
  headline: string;
  /** What estimated or missing readings make meaningless, per device. */
  notes: string[];
  /** draws: most surrogates per pre-specified correlation test (sequential, see each entry's `draws`) and circular shifts per coincidence test; method: the coupling method in one line. */
  options: { lags_s: number; window_s: number; seed: number; draws: number; spike_rule: string; method: string };
}

interface TrainingManifest {
  started_at?: number;
  model?: unknown;
  kernels?: unknown;
  data?: { batch?: number };
}

export function buildReportSummary(data: SessionData, o: CouplingOptions = COUPLING_DEFAULTS, devices?: readonly string[]): ReportSummary {
  const parts = summaryParts(data, devices);
  const coupling = Object.fromEntries(parts.devices.map((d) => [d.device, deviceCoupling(d, parts.timed, o)]));
  return assemble(data, o, parts, coupling, costSummary({ ...data, steps: parts.timed }, parts.devices.map((d) => d.device)));
}

/** Runs a device's surrogate tests (lagCorrelationTests on the job), perhaps on another thread. */
export type SurrogateRunner = (job: SurrogateJob) => Promise<PairTest[]>;

/**
 * buildReportSummary with each device's surrogate tests handed to `run` (another thread) as
 * soon as the device is prepared, and the throttle and cost summary computed here meanwhile;
 * then `meanwhile` (the figure: all it needs is known by then) before the tests are awaited.
 * The same summary as buildReportSummary's.
 */
export async function buildReportSummaryAsync(data: SessionData, o: CouplingOptions, devices: readonly string[] | undefined, run: SurrogateRunner, meanwhile?: (s: FigureSummary) => Promise<void>): Promise<ReportSummary> {
  const parts = summaryParts(data, devices);
  const shared = {};
  const tested = parts.devices.map((d) => {
    const plan = planCoupling(d, parts.timed, o, fluctuations, shared);
    return { plan, tests: plan.job ? run(plan.job) : Promise.resolve([]) };
  });
  // If a runner fails, the others' results are not awaited: nothing stays unhandled.
  for (const t of tested) t.tests.catch(() => undefined);
  const cost = costSummary({ ...data, steps: parts.timed }, parts.devices.map((d) => d.device));
  if (meanwhile) {
    const events = Object.fromEntries(tested.map((t, i) => [parts.devices[i]!.device, { events: t.plan.events }]));
    await meanwhile({ coupling: events, step_times: cost.step_times, throttle: cost.throttle, throttle_tax: cost.throttle_tax });
  }
  const coupling: Record<string, DeviceCoupling> = {};
  for (const [i, t] of tested.entries()) coupling[parts.devices[i]!.device] = t.plan.finish(await t.tests);
  return assemble(data, o, parts, coupling, cost);
}

interface SummaryParts {
  devices: DeviceSeries[];
  /** Steps with times of their own (burst-stamped steps' times say nothing about when they ran). */
  timed: StepRecord[];
  burst: number;
}

function summaryParts(data: SessionData, devices?: readonly string[]): SummaryParts {
  const timed = data.steps.filter((s) => s.t_source !== 'burst');
  return { devices: data.devices.filter((d) => !devices || devices.includes(d.device)), timed, burst: data.steps.length - timed.length };
}

function assemble(data: SessionData, o: CouplingOptions, parts: SummaryParts, coupling: Record<string, DeviceCoupling>, cost: CostSummary): ReportSummary {
  const tm: TrainingManifest | null = data.info?.manifest.training ?? null;
  const training = data.steps.length > 0 ? { ...summarizeTraining(data.steps, tm?.started_at ?? null, tm?.data?.batch ?? null), model: tm?.model ?? null, kernels: tm?.kernels ?? null } : null;
  const thermal: Record<string, DeviceSummary> = Object.fromEntries(parts.devices.map((d) => [d.device, data.summary.devices[d.device]!]));
  const { burst } = parts;
  const notes = burst > 0 ? [...data.notes, `${burst} of ${data.steps.length} training steps arrived in a burst with no time of their own (buffered output): left out of the time alignment, the coupling statistics and the throttle tax`] : data.notes;
  const info = data.info;
  return {
    session: data.id,
    kind: info?.kind ?? null,
    name: info?.name ?? null,
    status: info?.status ?? null,
    started_at: info ? new Date(info.started_at * 1000).toISOString() : null,
    training,
    thermal,
    coupling,
    throttle: cost.throttle,
    throttle_tax: cost.throttle_tax,
    energy: cost.energy,
    step_times: cost.step_times,
    headline: cost.headline,
    notes,
    options: { lags_s: o.lagsS, window_s: o.windowS, seed: o.seed, draws: o.draws, spike_rule: o.spikeRule, method: couplingMethod(o) },
  };
}
