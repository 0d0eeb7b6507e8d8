/**
 * The one metric engine: a streaming per-device state machine (DeviceStream), a multi-device
 * router (SessionEngine) and a batch function (computeSession), all sharing the same step.
 * Pure: no I/O, no clock. Contract: ../shared/spec/rle-metric.md.
 */
import { CollapseDetector } from './collapse.js';
import { checkDeviceParams, checkEngineOptions, resolveDeviceParams, type DeviceParams, type EngineOptions } from './device.js';
import {
  clamp,
  populationSd,
  powerEfficiency,
  rleNorm,
  rleRaw,
  stabilityOf,
  tSustainS,
  thermalEfficiency,
} from './efficiency.js';
import type { Provenance } from './provenance.js';
import { Window } from './window.js';

/** One sample of one device. Missing readings are null (never a made-up constant). */
export interface SampleInput {
  /** Utilization, % (0–100). Missing counts as 0 (spec step 1). */
  readonly util_pct: number | null;
  /** Temperature, °C. */
  readonly temp_c: number | null;
  /** Power, W. Missing or ≤ 0 means the load factor is estimated from utilization. */
  readonly power_w: number | null;
  /**
   * How power_w was obtained (default `measured`: a value the caller read itself). The engine
   * never relabels it: an estimate fed in stays an estimate, an imported value stays recorded.
   */
  readonly power_src?: Provenance | null;
}

export interface MetricRow {
  readonly rle_smoothed: number;
  readonly rle_raw: number;
  readonly rle_norm: number;
  readonly E_th: number;
  readonly E_pw: number;
  readonly a_load: number;
  /** Seconds to the temperature limit at the current heating rate (capped). */
  readonly t_sustain_s: number;
  readonly rolling_peak: number;
  readonly collapse: 0 | 1;
  /** The provenance of the power behind a_load: the input's, or `estimated` for the spec's rated × util. */
  readonly power_source: Provenance;
  /** Power used for a_load, W: the reading, or the estimate when power_source is 'estimated'. */
  readonly power_used_w: number;
}

/** A reading as the formula takes it: a number, or null for missing (undefined and NaN are missing too). */
function reading(v: unknown, name: string, device: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number') throw new TypeError(`rle engine (${device}): ${name} must be a number or null, got ${typeof v}`);
  return Number.isNaN(v) ? null : v;
}

/** Plain-JS callers get a TypeError, not a NaN metric. */
function checkSample(s: SampleInput, device: string): void {
  if (s === null || typeof s !== 'object') throw new TypeError(`rle engine (${device}): a sample must be an object`);
}

export class DeviceStream {
  readonly params: DeviceParams;
  private readonly utilWin: Window;
  private readonly rawWin: Window;
  private readonly detector: CollapseDetector;
  private seen = 0;
  private tLast: number | null = null;
  private tPrev: number | null = null;

  constructor(params: DeviceParams) {
    checkDeviceParams(params);
    this.params = params;
    this.utilWin = new Window(params.window);
    this.rawWin = new Window(params.window);
    this.detector = new CollapseDetector(params);
  }

  push(sample: SampleInput): MetricRow {
    const p = this.params;
    checkSample(sample, p.device);
    // The readings checked, as locals (no copy of the sample per push: a day is ~170,000).
    const utilPct = reading(sample.util_pct, 'util_pct', p.device);
    const tempC = reading(sample.temp_c, 'temp_c', p.device);
    const powerW = reading(sample.power_w, 'power_w', p.device);
    this.seen++;
    // 1. Utilization.
    const u = utilPct === null ? 0 : clamp(utilPct, 0, 100);
    this.utilWin.push(u);
    const eta = u / 100;
    // 2. Stability over the utilization window.
    const stability = stabilityOf(populationSd(this.utilWin.values, this.utilWin.length));
    // 3. Load factor, from the power value when there is one (spec: missing or ≤ 0 → rated × util).
    const given = powerW !== null && powerW > 0;
    const powerUsed = given ? powerW : p.ratedPowerW * eta;
    const aLoad = powerUsed / p.ratedPowerW;
    // 4. Time to the limit, from the last two known temperatures (missing samples are skipped).
    const hasTemp = tempC !== null;
    if (hasTemp) {
      this.tPrev = this.tLast;
      this.tLast = tempC;
    }
    const tSustain =
      this.tPrev === null || this.tLast === null
        ? p.maxTSustainS
        : tSustainS(this.tPrev, this.tLast, p.dtS, p.tempLimitC, p.maxTSustainS);
    // 5–6. Raw and smoothed score.
    const raw = rleRaw(eta, stability, aLoad, tSustain);
    this.rawWin.push(raw);
    const smoothed = this.rawWin.mean();
    // 9. Collapse (heating is judged only on a sample that has a temperature).
    const c = this.detector.step({
      seen: this.seen,
      rleSmoothed: smoothed,
      u,
      aLoad,
      tSustainS: tSustain,
      tempC,
      prevTempC: hasTemp ? this.tPrev : null,
    });
    return {
      rle_smoothed: smoothed,
      rle_raw: raw,
      rle_norm: rleNorm(smoothed, u, p.curve), // 8.
      E_th: thermalEfficiency(stability, tSustain), // 7.
      E_pw: powerEfficiency(eta, aLoad),
      a_load: aLoad,
      t_sustain_s: tSustain,
      rolling_peak: c.rollingPeak,
      collapse: c.collapse,
      power_source: given ? (sample.power_src ?? 'measured') : 'estimated',
      power_used_w: powerUsed,
    };
  }
}

/** Routes samples to one DeviceStream per device name, created on first sight. */
export class SessionEngine {
  private readonly streams = new Map<string, DeviceStream>();

  constructor(private readonly options: EngineOptions = {}) {
    checkEngineOptions(options);
  }

  push(device: string, s: SampleInput): MetricRow {
    let st = this.streams.get(device);
    if (!st) {
      st = new DeviceStream(resolveDeviceParams(device, this.options));
      this.streams.set(device, st);
    }
    return st.push(s);
  }

  /** Devices in order of first appearance. */
  devices(): string[] {
    return [...this.streams.keys()];
  }

  paramsOf(device: string): DeviceParams | undefined {
    return this.streams.get(device)?.params;
  }
}

export interface DeviceSample extends SampleInput {
  readonly device: string;
}

/** Batch form: the metric for every row of a session, in input order, each device its own stream. */
export function computeSession(rows: readonly DeviceSample[], options: EngineOptions = {}): MetricRow[] {
  const engine = new SessionEngine(options);
  return rows.map((r) => engine.push(r.device, r));
}
