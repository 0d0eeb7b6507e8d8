/**
 * Every default threshold of the throttle detector, the per-step cost and the throttle tax, in
 * one place (to move into core/constants.ts with the rest). Each says where its value comes from.
 */
export interface ThrottleParams {
  /** Loaded: utilization at or above this, %. Below it a low clock is the governor saving power. */
  readonly loadedPct: number;
  /** At the limit: temperature ≥ limit − this, °C. */
  readonly limitMarginC: number;
  /** Slowed: clock ratio (current / max) below this. */
  readonly clockRatioMin: number;
  /** A sample interval longer than this many median periods is a gap, not a sample's span. */
  readonly maxGapSteps: number;
  /** Cannot-tell samples bridged inside one throttle interval, samples. */
  readonly bridgeNullSamples: number;
  /** An interval with only inferred evidence needs this many throttled samples. */
  readonly minInferredSamples: number;
  /** A step whose time is more than this share cannot-tell has no throttle share (null). */
  readonly maxUnknownShare: number;
  /** Warm-up: the first max(warmupMinSteps, ceil(warmupFrac · steps)) steps. */
  readonly warmupMinSteps: number;
  readonly warmupFrac: number;
  /** A step is throttled when at least this share of its time is inside a throttle interval. */
  readonly throttledStepShare: number;
  /** Fewest unthrottled post-warm-up steps that form a baseline. */
  readonly minBaselineSteps: number;
  /** Baseline drift: first vs last third of the unthrottled steps' median, relative. */
  readonly maxDrift: number;
  /** Bootstrap draws, seed and interval level. */
  readonly draws: number;
  readonly seed: number;
  readonly level: number;
}

export const THROTTLE_DEFAULTS: Readonly<ThrottleParams> = {
  // Half busy. A device hot enough to be within 2 °C of its limit at ≥ 50 % load is under
  // thermal control; the temperature gate, not this one, keeps the false alarms down. Caveat:
  // Linux's schedutil asks for the full clock only from 80 % utilization (f = 1.25·f_max·util),
  // so 50–80 % load at a low clock is throttled only if it is also at the limit.
  loadedPct: 50,
  // Intel and AMD CPUs hold Tjmax to within ~1 °C under TCC/PROCHOT control; NVIDIA's slowdown
  // control keeps the GPU just under its slowdown temperature. 2 °C covers that band and a
  // reading's 1 °C resolution.
  limitMarginC: 2,
  // 10 % below max: ordinary clock jitter at full load (boost bins, nvidia-smi's 15 MHz steps)
  // stays within a few %; a thermal slowdown cuts clocks by 10–40 %.
  clockRatioMin: 0.9,
  // A few missed ticks (nvidia-smi -lms jitters by a period or two) are not a gap; five are.
  maxGapSteps: 5,
  // One dropped reading inside a throttle phase should not split it in two.
  bridgeNullSamples: 1,
  // A single inferred sample is one noisy temperature or clock reading; direct evidence
  // (a counter, a reason bit) counts from one sample.
  minInferredSamples: 2,
  // A step mostly in cannot-tell time can be neither charged nor used as the baseline.
  maxUnknownShare: 0.5,
  // Compile, autotune, allocator and data-cache warm-up make the first steps slow: nanoGPT and
  // llm.c skip the first steps from timing. 5 % with a floor of 3 steps.
  warmupMinSteps: 3,
  warmupFrac: 0.05,
  // A step half inside a throttled interval is slowed for half its time: charge it.
  throttledStepShare: 0.5,
  // A median of 9 has a usable bootstrap spread, and the drift check needs 3 steps per third.
  minBaselineSteps: 9,
  // One baseline stands for the whole run. If the unthrottled pace itself moves by more than
  // 20 %, an excess of that order (a typical thermal slowdown is 10–50 %) cannot be told from
  // the drift, so no number is given.
  maxDrift: 0.2,
  // 1000 draws: the 2.5 % and 97.5 % percentiles rest on 25 draws each.
  draws: 1000,
  seed: 1,
  level: 0.95,
};
