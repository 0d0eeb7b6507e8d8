/**
 * The training half of a session's summary, from its stored steps: loss first → last, wall
 * time and throughput. Wall time runs from the training's start (when known: `rle train`
 * records it) to the last step's end; otherwise from the first step's end, with that step
 * not counted in the rates.
 */
import { byTime } from './coupling/align.js';
import type { StepRecord } from '../store/session-store.js';

export interface TrainingSummary {
  steps: number;
  loss_first: number | null;
  loss_last: number | null;
  loss_change_pct: number | null;
  wall_s: number | null;
  samples_per_s: number | null;
  tokens_per_s: number | null;
}

const finite = (x: number | null | undefined): x is number => x !== null && x !== undefined && Number.isFinite(x);

/**
 * @param startedAt Unix s when training began (before its first step), or null
 * @param rowsPerStep samples (sequences) per step, or null when unknown
 */
export function summarizeTraining(steps: readonly StepRecord[], startedAt: number | null, rowsPerStep: number | null): TrainingSummary {
  const s = byTime(steps);
  const first = s.find((x) => finite(x.loss))?.loss ?? null;
  const last = [...s].reverse().find((x) => finite(x.loss))?.loss ?? null;
  const counted = startedAt === null ? s.slice(1) : s;
  const t0 = startedAt ?? s[0]?.t ?? null;
  const wall = s.length > 0 && t0 !== null ? s.at(-1)!.t - t0 : null;
  const rate = (x: number | null): number | null => (x !== null && wall !== null && wall > 0 && counted.length > 0 ? x / wall : null);
  const tokens = counted.every((x) => finite(x.tokens)) ? counted.reduce((a, x) => a + x.tokens!, 0) : null;
  return {
    steps: s.length,
    loss_first: finite(first) ? first : null,
    loss_last: finite(last) ? last : null,
    loss_change_pct: finite(first) && finite(last) && first !== 0 ? ((last - first) / first) * 100 : null,
    wall_s: wall,
    samples_per_s: rate(rowsPerStep === null ? null : rowsPerStep * counted.length),
    tokens_per_s: rate(tokens),
  };
}
