/**
 * What each training step cost: its interval in time, and its energy from a cumulative energy
 * counter (J since the source opened: a measured RAPL counter, or integrated measured power).
 *
 * A step is stamped at its end. Its start is its own t_start when recorded, else the previous
 * step's end, else the training's start (for the first step), else unknown (kept, with
 * start, duration and energy null). Steps are ordered by end time; a step number seen twice
 * keeps its latest record (the one the run went on from, as the store's INSERT OR REPLACE
 * does), its earlier ones dropped.
 *
 * Energy in [start, end] is the counter's difference, each end linearly interpolated between
 * the samples around it (a step rarely lines up with samples). An end outside the counter's
 * coverage, or between samples where one is null or the two are more than maxGap apart, gives
 * null; so does a decrease anywhere between the ends (a counter reset). Samples inside a step
 * do not matter otherwise: the counter is cumulative.
 */
import { THROTTLE_DEFAULTS } from './throttle/constants.js';
import { medianPeriod } from './throttle/intervals.js';
import { median } from './throttle/stats.js';

export interface StepInput {
  step: number;
  /** Unix s, the step's end. */
  t: number;
  /** Unix s, the step's start when recorded. */
  t_start?: number | null;
  tokens: number | null;
}

export interface StepInterval {
  step: number;
  start: number | null;
  end: number;
  duration_s: number | null;
  tokens: number | null;
  tokens_per_s: number | null;
}

export interface EnergyCounter {
  /** Unix s, ascending. */
  readonly t: readonly number[];
  /** J since the source opened; null where there was no reading. */
  readonly joules: readonly (number | null)[];
}

export interface StepEnergy {
  /** J per step, aligned with the steps given. */
  joules: (number | null)[];
  /** J per token, where the step's tokens are known and > 0. */
  j_per_token: (number | null)[];
  median_j_per_step: number | null;
  /** Counter difference from the first step's start (its end, if no start) to the last step's end. */
  total_j: number | null;
  /** The gap limit used, s. */
  max_gap_s: number;
}

const fin = (x: number | null | undefined): x is number => x !== null && x !== undefined && Number.isFinite(x);

/** @param startedAt Unix s when training began (before its first step), or null */
export function stepIntervals(steps: readonly StepInput[], startedAt: number | null): StepInterval[] {
  const sorted = inOrder(steps) ? steps : latestByTime(steps);
  return sorted.map((s, i) => {
    const prev = sorted[i - 1];
    const start = fin(s.t_start) && s.t_start <= s.t ? s.t_start : prev ? prev.t : fin(startedAt) && startedAt <= s.t ? startedAt : null;
    const duration = start === null ? null : s.t - start;
    const tokens = fin(s.tokens) ? s.tokens : null;
    return { step: s.step, start, end: s.t, duration_s: duration, tokens, tokens_per_s: tokens !== null && duration !== null && duration > 0 ? tokens / duration : null };
  });
}

/**
 * Steps already in the order stepIntervals wants, with nothing to drop: times finite and
 * non-decreasing, step numbers rising (so none repeats) — as the store returns a run's steps.
 * One pass instead of a map and a sort (500,000 steps: ~1 s less here).
 */
function inOrder(steps: readonly StepInput[]): boolean {
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!, p = steps[i - 1];
    if (!fin(s.t) || (p && (s.t < p.t || s.step <= p.step))) return false;
  }
  return true;
}

/** Each step number's latest record, ordered by end time (then step). */
function latestByTime(steps: readonly StepInput[]): StepInput[] {
  const latest = new Map<number, StepInput>();
  for (const s of steps) {
    if (!fin(s.t)) continue;
    const seen = latest.get(s.step);
    if (!seen || s.t >= seen.t) latest.set(s.step, s);
  }
  return [...latest.values()].sort((a, b) => a.t - b.t || a.step - b.step);
}

/** Index of the last sample at or before x (−1 when none). */
function before(t: readonly number[], x: number): number {
  let lo = 0, hi = t.length - 1, k = -1;
  while (lo <= hi) {
    const m = (lo + hi) >> 1;
    if (t[m]! <= x) {
      k = m;
      lo = m + 1;
    } else hi = m - 1;
  }
  return k;
}

/** The counter at time x, interpolated; null outside its coverage or in a gap. */
export function counterAt(c: EnergyCounter, x: number, maxGapS: number): number | null {
  const i = before(c.t, x);
  if (i < 0) return null;
  const ji = c.joules[i];
  if (c.t[i] === x) return fin(ji) ? ji : null;
  const tj = c.t[i + 1], jj = c.joules[i + 1];
  if (tj === undefined || !fin(ji) || !fin(jj) || tj - c.t[i]! > maxGapS) return null;
  return ji + ((jj - ji) * (x - c.t[i]!)) / (tj - c.t[i]!);
}

function between(c: EnergyCounter, t0: number, t1: number, maxGapS: number): number | null {
  const a = counterAt(c, t0, maxGapS), b = counterAt(c, t1, maxGapS);
  if (a === null || b === null) return null;
  let last = a;
  for (let k = before(c.t, t0) + 1; k < c.t.length && c.t[k]! <= t1; k++) {
    const j = c.joules[k];
    if (!fin(j)) continue;
    if (j < last) return null;
    last = j;
  }
  return b < last ? null : b - a;
}

/** @param maxGapS longest counter interval still interpolated across; default maxGapSteps median periods */
export function stepEnergy(steps: readonly StepInterval[], c: EnergyCounter, maxGapS = medianPeriod(c.t) * THROTTLE_DEFAULTS.maxGapSteps): StepEnergy {
  const joules = steps.map((s) => (s.start === null ? null : between(c, s.start, s.end, maxGapS)));
  const j_per_token = steps.map((s, i) => (joules[i] !== null && s.tokens !== null && s.tokens > 0 ? joules[i]! / s.tokens : null));
  const first = steps[0], last = steps.at(-1);
  const total_j = first && last ? between(c, first.start ?? first.end, last.end, maxGapS) : null;
  return { joules, j_per_token, median_j_per_step: joules.some(fin) ? median(joules.filter(fin)) : null, total_j, max_gap_s: maxGapS };
}
