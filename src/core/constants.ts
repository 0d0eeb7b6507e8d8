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
} as const;
