/**
 * Every default of the RLE metric and collapse detector, in one place.
 * Source for all of them: ../shared/spec/rle-metric.md (the compatibility contract with the
 * earlier RLE tools; the golden files were produced with exactly these values).
 */

/** Device classes: name prefix `cpu` → cpu, `gpu` → gpu, anything else → other (spec §Device classes). */
export type DeviceClass = 'cpu' | 'gpu' | 'other';

/** Device curve for rle_norm: baseline b, optimum o, knee k (utilization, %). */
export interface DeviceCurve {
  readonly baseline: number;
  readonly optimum: number;
  readonly knee: number;
}

/** Rated power per class, watts (spec: CPU 125, GPU 200, other 100). */
export const RATED_POWER_W: Readonly<Record<DeviceClass, number>> = { cpu: 125, gpu: 200, other: 100 };

/** Temperature limit per class, °C (spec: CPU 85, GPU 83, other 85). */
export const TEMP_LIMIT_C: Readonly<Record<DeviceClass, number>> = { cpu: 85, gpu: 83, other: 85 };

/** rle_norm device curves (spec step 8). */
export const DEVICE_CURVE: Readonly<Record<DeviceClass, DeviceCurve>> = {
  cpu: { baseline: 0.3, optimum: 5.0, knee: 67 },
  gpu: { baseline: 0.1, optimum: 3.0, knee: 60 },
  other: { baseline: 0.1, optimum: 3.0, knee: 60 },
};

/** Detector and formula parameters shared by every device class (spec §Parameters). */
export interface DetectorParams {
  /** Cap of t_sustain_s, seconds. */
  readonly maxTSustainS: number;
  /** Samples in the utilization-stability and rle_smoothed windows. */
  readonly window: number;
  /** Multiplicative decay of rolling_peak, per sample. */
  readonly peakDecay: number;
  /** A drop is rle_smoothed below this fraction of rolling_peak. */
  readonly dropFrac: number;
  /** Consecutive gated drop samples needed before collapse, samples. */
  readonly hysteresis: number;
  /** Load gate on utilization, %. */
  readonly utilGatePct: number;
  /** Load gate on a_load (power / rated power). */
  readonly aLoadGate: number;
  /** Power evidence: a_load above this. */
  readonly powerEvidence: number;
  /** Thermal evidence: t_sustain_s below this, seconds. */
  readonly thermalEvidenceS: number;
  /** Thermal evidence: temperature above temp_limit_c minus this, °C. */
  readonly limitMarginC: number;
  /** Heating: temperature rose by more than this since the previous known one, °C. */
  readonly heatingC: number;
}

export const DETECTOR_DEFAULTS: Readonly<DetectorParams> = {
  maxTSustainS: 600,
  window: 5,
  peakDecay: 0.998,
  dropFrac: 0.65,
  hysteresis: 7,
  utilGatePct: 60,
  aLoadGate: 0.75,
  powerEvidence: 0.95,
  thermalEvidenceS: 60,
  limitMarginC: 5,
  heatingC: 0.05,
};

/** Nominal sampling period, seconds (spec: dt default 1 s). */
export const DEFAULT_DT_S = 1;

/** Floors that keep the formula finite (spec steps 4, 5, 7, 9). */
export const MIN_HEATING_RATE_C_PER_S = 0.001;
export const MIN_A_LOAD = 1e-6;
export const MIN_PEAK = 1e-6;
export const MIN_T_SUSTAIN_S = 1;

/** Session summaries (`rle analyze`, reports). */
export const SUMMARY_DEFAULTS = {
  /**
   * A reading that is one value on at least this many samples is flagged as a constant
   * written by a tool (samples): a real 1 °C-quantised sensor under any load moves within
   * 30 s; the earlier tools' CPU columns (50.0 °C, 125.0 W) never did.
   */
  constantMinSamples: 30,
  /** …while utilization spans at least this, percentage points (an idle machine's sensor may sit still). */
  constantUtilSpanPct: 10,
  /** Power within this share of its range of a straight line in utilization on every sample is derived from it. */
  linearTolerance: 1e-6,
  /**
   * …or within this, W: the earlier tools rounded their estimate to 2 decimals (±0.005 W), and
   * a least-squares line through rounded values sits a little off the true one (2 × the quantum).
   */
  linearRoundingW: 0.01,
  /** …over at least this many distinct utilizations (two points always lie on a line). */
  linearMinDistinctUtil: 5,
} as const;

/**
 * The learning–thermal coupling statistics (src/analysis/coupling/), each default with where it
 * comes from; the sweep behind the detrending and prewhitening choices is in
 * test/analysis/coupling/ (RLE_COUPLING_SWEEP=1).
 */
export const COUPLING = {
  // ±10 s: the lag window of the earlier RLE study's correlations (#5); a thermal response
  // (throttling, fan) to load, or the reverse, shows within seconds at 1 Hz sampling.
  lagsS: 10,
  // ±3 s: the earlier study's coincidence window for spikes and collapse starts (#5).
  windowS: 3,
  // Any fixed seed: reports are reproducible.
  seed: 1,
  // 1000: smallest p 1/1001, Monte Carlo sd of p ≈ 0.007 at p = 0.05 (Davison & Hinkley 1997, ch. 4).
  draws: 1000,
  // The robust rule: 0.7 % of pure noise flagged against 16 % for mean + 1 sd (spikes.ts).
  spikeRule: 'robust' as const,
  // 200: smallest p 0.005, enough to tell p < 0.05 after a Holm factor ≤ 5 apart from noise; they do not vote.
  exploratoryDraws: 200,
  // 60 s = 6× the largest lag: slow enough to keep the fluctuations at the lags tested, fast
  // enough for a warm-up of time constant ≥ 2 min (measured: see the sweep above).
  detrendS: 60,
  // 10: enough for the AR(1)–AR(3)-like telemetry and step series seen; AIC picks fewer.
  arMaxOrder: 10,
  // The rle_smoothed window, DETECTOR_DEFAULTS.window (warmup.ts).
  warmupSamples: DETECTOR_DEFAULTS.window,
  // 10 steps or 5 % of them (warmup.ts).
  warmupSteps: 10,
  warmupFraction: 0.05,
  // The conventional 5 %, family-wise.
  alpha: 0.05,
  // Fewer aligned samples than this and correlations mean little (20: a lag window of ±10 leaves ≥ 10 pairs).
  minAligned: 20,
};
