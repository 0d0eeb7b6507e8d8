/**
 * Warm-up trim before any statistic. Telemetry: the first `samples` samples, the rle_smoothed
 * window (DETECTOR_DEFAULTS.window = 5), during which the smoothing and the utilization
 * stability are computed over a partial window — the start-up spike of rle_smoothed (2.9× its
 * median on the seed training run's GPU). Training: the first max(`steps`, ⌈fraction × steps⌉) steps.
 * That is where loss and grad_norm fall fastest, so where any detrending fits worst: on the
 * seed training run (200 steps) loss falls 6.3 → 5.1 and grad_norm 25.7 → 19.1 in the first
 * 10 steps — a fifth and a third of their whole falls in 5 % of the run. Learning-rate warm-up,
 * when a recipe has one, is commonly a few percent of the run (RoBERTa 6 %; nanoGPT 2000 of
 * 600,000 steps), hence the fraction for long runs; 10 steps is the floor for short ones.
 */
import type { StepRecord } from '../../store/session-store.js';

export interface WarmupRule {
  samples: number;
  steps: number;
  fraction: number;
}

export function stepsToDrop(count: number, r: WarmupRule): number {
  return Math.min(count, Math.max(r.steps, Math.ceil(r.fraction * count)));
}

/** The steps left after the warm-up (time-ordered input, time-ordered output). */
export function afterWarmup(sorted: readonly StepRecord[], r: WarmupRule): readonly StepRecord[] {
  return sorted.slice(stepsToDrop(sorted.length, r));
}
