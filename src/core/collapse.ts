/**
 * Spec step 9: the collapse detector on rle_smoothed. One instance per device stream.
 * A collapse needs a sustained (hysteresis) drop below drop_frac of a slowly decaying peak,
 * while the device is under load and heating, with thermal or power evidence.
 */
import { MIN_PEAK } from './constants.js';
import type { DeviceParams } from './device.js';

export interface CollapseInput {
  /** Samples seen on this stream, including this one. */
  readonly seen: number;
  readonly rleSmoothed: number;
  /** Utilization, %, clamped. */
  readonly u: number;
  readonly aLoad: number;
  readonly tSustainS: number;
  /** This sample's temperature, °C, or null when it had none. */
  readonly tempC: number | null;
  /** The previously known temperature, °C, or null when fewer than 2 are known. */
  readonly prevTempC: number | null;
}

export interface CollapseStep {
  readonly rollingPeak: number;
  /** Consecutive gated-drop samples so far. */
  readonly below: number;
  readonly collapse: 0 | 1;
}

export class CollapseDetector {
  private peak = 0;
  private below = 0;

  constructor(private readonly p: DeviceParams) {}

  step(x: CollapseInput): CollapseStep {
    const p = this.p;
    if (x.seen < p.window) {
      // Warm-up: the smoothing window is not full yet.
      this.peak = 0;
      this.below = 0;
      return { rollingPeak: 0, below: 0, collapse: 0 };
    }
    this.peak = Math.max(x.rleSmoothed, this.peak * p.peakDecay);
    const loaded = x.u > p.utilGatePct || x.aLoad > p.aLoadGate;
    const heating = x.tempC !== null && x.prevTempC !== null && x.tempC - x.prevTempC > p.heatingC;
    const drop = x.rleSmoothed < p.dropFrac * Math.max(this.peak, MIN_PEAK);
    this.below = loaded && heating && drop ? this.below + 1 : 0;
    const thermal =
      x.tSustainS < p.thermalEvidenceS || (x.tempC !== null && x.tempC > p.tempLimitC - p.limitMarginC);
    const power = x.aLoad > p.powerEvidence;
    const collapse = this.below >= p.hysteresis && (thermal || power) ? 1 : 0;
    return { rollingPeak: this.peak, below: this.below, collapse };
  }
}
