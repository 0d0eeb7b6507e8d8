/**
 * The throttle tax of a training run: the time (and energy) its throttled steps took beyond
 * what an unthrottled step takes.
 *
 * The first max(warmupMinSteps, ceil(warmupFrac · steps)) steps are warm-up (compile,
 * autotune, allocator and caches make them slow) and are neither baseline nor charged. After
 * it, a step is unthrottled when none of its time was throttled (share 0), throttled when at
 * least throttledStepShare of it was, partial in between (excluded from both: it may be slowed
 * a little; its excess is lost from the sum, at most a step's worth per interval edge), and
 * unknown without a duration or a share. Baseline = median duration of the unthrottled steps;
 * lost_s = Σ over throttled steps of (duration − baseline); lost_share = lost_s / wall time
 * (first step's start to the last step's end).
 *
 * The interval is a seeded percentile bootstrap: each draw resamples the unthrottled steps
 * (re-estimating the baseline) and the throttled steps (their excess), with replacement — the
 * baseline's median drawn from its exact bootstrap distribution and the throttled sum value by
 * value, or as normal past 50,000 steps (throttle/resample.ts), so 500,000 steps cost no sort
 * per draw.
 * No baseline — and so no loss — when there are fewer than minBaselineSteps unthrottled steps,
 * or when their median moves by more than maxDrift between the first and last third (the pace
 * changed for some other reason, and one baseline would misprice the throttled steps). Energy
 * likewise, per step in J, where the steps' energy is known.
 */
import { mulberry32 } from '../core/random.js';
import type { StepInterval } from './step-cost.js';
import { THROTTLE_DEFAULTS, type ThrottleParams } from './throttle/constants.js';
import { bootstrapMedian, bootstrapSum } from './throttle/resample.js';
import { median, medianSorted, quantileSorted } from './throttle/stats.js';

export interface EnergyTax {
  baseline_j_per_step: number | null;
  /** Throttled steps with an energy reading (the ones lost_j sums over). */
  throttled_steps: number;
  lost_j: number | null;
  lost_j_interval: [number, number] | null;
  /** lost_j over the energy of all steps with a reading. */
  lost_share: number | null;
  note: string | null;
}

export interface ThrottleTax {
  baseline_step_s: number | null;
  steps: number;
  throttled_steps: number;
  lost_s: number | null;
  lost_s_interval: [number, number] | null;
  lost_share: number | null;
  note: string | null;
  warmup_steps: number;
  baseline_steps: number;
  partial_steps: number;
  unknown_steps: number;
  wall_s: number | null;
  draws: number;
  level: number;
  energy: EnergyTax | null;
}

const fin = (x: number | null | undefined): x is number => x !== null && x !== undefined && Number.isFinite(x);
const pct = (x: number): string => `${(x * 100).toFixed(0)} %`;

/** Why these unthrottled values cannot form one baseline, or null when they can. */
function baselineProblem(base: readonly number[], o: ThrottleParams, what: string): string | null {
  if (base.length < o.minBaselineSteps) return `${base.length} unthrottled steps after warm-up with a ${what} (need ≥ ${o.minBaselineSteps}): no baseline`;
  const k = Math.floor(base.length / 3);
  const a = median(base.slice(0, k)), b = median(base.slice(-k));
  const drift = Math.abs(b - a) / a;
  if (!(drift <= o.maxDrift)) return `the unthrottled ${what} moves from ${a.toPrecision(3)} to ${b.toPrecision(3)} between the first and last third (${pct(drift)} > ${pct(o.maxDrift)}) without throttling: no single baseline`;
  return null;
}

interface Excess {
  baseline: number;
  lost: number;
  interval: [number, number];
}

function excess(base: readonly number[], hit: readonly number[], o: ThrottleParams, seed: number): Excess {
  const sorted = Float64Array.from(base).sort();
  const baseline = medianSorted(sorted);
  const lost = hit.reduce((a, h) => a + h - baseline, 0);
  if (hit.length === 0) return { baseline, lost: 0, interval: [0, 0] };
  const rand = mulberry32(seed);
  const sum = bootstrapSum(hit, rand);
  const draws = new Float64Array(o.draws);
  for (let d = 0; d < o.draws; d++) draws[d] = sum() - hit.length * bootstrapMedian(sorted, rand);
  draws.sort();
  const a = (1 - o.level) / 2;
  return { baseline, lost, interval: [quantileSorted(draws, a), quantileSorted(draws, 1 - a)] };
}

/**
 * @param shares per step, the share of its time throttled (0–1), null where unknown
 * @param joules per step, J, null where unknown; null when there is no energy reading at all
 */
export function throttleTax(steps: readonly StepInterval[], shares: readonly (number | null)[], joules: readonly (number | null)[] | null = null, o: ThrottleParams = THROTTLE_DEFAULTS): ThrottleTax {
  const n = steps.length;
  const warmup = Math.min(n, Math.max(o.warmupMinSteps, Math.ceil(o.warmupFrac * n)));
  const base: number[] = [], hit: number[] = [];
  let partial = 0, unknown = 0, warmHit = 0;
  steps.forEach((s, i) => {
    const sh = shares[i];
    if (i < warmup) {
      if (fin(sh) && sh >= o.throttledStepShare) warmHit++;
      return;
    }
    if (!fin(s.duration_s) || !fin(sh)) unknown++;
    else if (sh === 0) base.push(i);
    else if (sh >= o.throttledStepShare) hit.push(i);
    else partial++;
  });
  const first = steps[0], last = steps.at(-1);
  const wall = first && last ? last.end - (first.start ?? first.end) : null;
  const notes: string[] = [];
  if (warmHit > 0) notes.push(`${warmHit} throttled steps in the warm-up are not charged`);
  const common = { steps: n, throttled_steps: hit.length, warmup_steps: warmup, baseline_steps: base.length, partial_steps: partial, unknown_steps: unknown, wall_s: wall, draws: o.draws, level: o.level };
  const none = (why: string): ThrottleTax => ({ ...common, baseline_step_s: null, lost_s: null, lost_s_interval: null, lost_share: null, note: [why, ...notes].join('; '), energy: null });
  if (n === 0) return none('no training steps');
  if (base.length + hit.length + partial === 0) return none('no throttle evidence for the steps after warm-up: cannot tell');

  const energy = joules === null ? null : energyTax(steps, base, hit, joules, o);
  const dur = (i: number): number => steps[i]!.duration_s!;
  const problem = baselineProblem(base.map(dur), o, 'step time');
  if (problem) return { ...none(problem), energy };
  const e = excess(base.map(dur), hit.map(dur), o, o.seed);
  if (hit.length === 0) notes.unshift('no step after warm-up was throttled');
  return {
    ...common,
    baseline_step_s: e.baseline,
    lost_s: e.lost,
    lost_s_interval: e.interval,
    lost_share: wall !== null && wall > 0 ? e.lost / wall : null,
    note: notes.length > 0 ? notes.join('; ') : null,
    energy,
  };
}

function energyTax(steps: readonly StepInterval[], base: readonly number[], hit: readonly number[], joules: readonly (number | null)[], o: ThrottleParams): EnergyTax {
  const j = (idx: readonly number[]): number[] => idx.map((i) => joules[i]).filter(fin);
  const bj = j(base), hj = j(hit);
  const total = steps.reduce((a, _, i) => a + (fin(joules[i]) ? joules[i] : 0), 0);
  const problem = baselineProblem(bj, o, 'energy reading');
  if (problem) return { baseline_j_per_step: null, throttled_steps: hj.length, lost_j: null, lost_j_interval: null, lost_share: null, note: problem };
  const e = excess(bj, hj, o, o.seed + 1);
  const missing = hit.length - hj.length;
  return {
    baseline_j_per_step: e.baseline,
    throttled_steps: hj.length,
    lost_j: e.lost,
    lost_j_interval: e.interval,
    lost_share: total > 0 ? e.lost / total : null,
    note: missing > 0 ? `${missing} of ${hit.length} throttled steps have no energy reading: lost_j counts the others` : null,
  };
}
