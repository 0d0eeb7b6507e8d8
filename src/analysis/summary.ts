/**
 * Per-device session summary (`rle analyze`), built in one streaming pass: O(devices) memory.
 * Only readings (measured, or recorded by another tool) enter the power and temperature
 * statistics; estimates, derived values and constants do not.
 */
import { CollapseEdges } from '../core/collapse-edges.js';
import type { MetricRow } from '../core/engine.js';
import { isReading, type Provenance } from '../core/provenance.js';
import { ReadingCheck } from './reading-check.js';

/** What the summary needs of the throttle detector's answer. */
export interface SummaryThrottle {
  readonly throttled: 0 | 1 | null;
  readonly causes: readonly string[];
  readonly inferred: boolean;
}

/** What the summary needs of a metric row. */
export type SummaryMetric = Pick<MetricRow, 'rle_smoothed' | 'E_th' | 'E_pw' | 'collapse' | 'power_source'>;

/** What the summary needs of a sample: its time, readings and their provenance. */
export interface SummarySample {
  readonly t: number;
  readonly util_pct: number | null;
  readonly temp_c: number | null;
  readonly power_w: number | null;
  readonly temp_src: Provenance | null;
  readonly power_src: Provenance | null;
}

export interface MeanMinMax {
  mean: number | null;
  min: number | null;
  max: number | null;
}

export interface DeviceSummary {
  samples: number;
  /** Last minus first timestamp, seconds. */
  duration_s: number | null;
  /** Steps longer than twice the nominal period, and the longest of them, s (0 with no gap). */
  gaps: { count: number; longest_s: number };
  /** The longest step between consecutive samples, s (null with fewer than two samples). */
  longest_step_s: number | null;
  collapse_samples: number;
  /** null where no collapse could be detected (no temperature reading): collapse_note says why. */
  collapse_rate: number | null;
  collapse_note: string | null;
  /** Runs of consecutive collapse samples. */
  collapse_events: number;
  rle_smoothed: MeanMinMax;
  E_th_mean: number | null;
  E_pw_mean: number | null;
  /** Statistics of readings only (measured, or recorded by another tool); `label` says when the column was not one (constant, derived from utilization). */
  power_w: { mean: number | null; max: number | null; measured_share: number | null; label: 'constant' | 'derived' | null };
  temp_c: { mean: number | null; max: number | null; available_share: number | null; label: 'constant' | null };
  util_pct_mean: number | null;
  /**
   * Throttling: seconds judged throttled and not (each sample stands for the step since the
   * previous one), the causes seen, and the seconds nobody could tell about. null without a
   * throttle judgement (an input that was not judged). `inferred`: every throttled second rests
   * on inferred evidence alone (as an interval's flag does); `inferred_s`: how many did.
   */
  throttle: { throttled_s: number; unthrottled_s: number; unknown_s: number; share: number | null; causes: string[]; inferred: boolean; inferred_s: number } | null;
}

export interface SessionSummary {
  source: string;
  rows: number;
  malformed_rows: number;
  devices: Record<string, DeviceSummary>;
}

class DeviceAccumulator {
  samples = 0;
  tMin = Infinity;
  tMax = -Infinity;
  tPrev: number | null = null;
  gapCount = 0;
  longestStep: number | null = null;
  longestGap = 0;
  outOfOrder = 0;
  collapseSamples = 0;
  collapseEvents = 0;
  readonly edges = new CollapseEdges();
  smSum = 0;
  smMin = Infinity;
  smMax = -Infinity;
  ethSum = 0;
  epwSum = 0;
  utilSum = 0;
  utilN = 0;
  powerN = 0;
  powerSum = 0;
  powerMax = -Infinity;
  tempN = 0;
  tempSum = 0;
  tempMax = -Infinity;
  readonly check = new ReadingCheck();
  /** Values labelled constant or derived already (a store relabels them on import). */
  tempLabelled = false;
  powerLabel: 'constant' | 'derived' | null = null;
  judged = false;
  throttledS = 0;
  unthrottledS = 0;
  unknownS = 0;
  readonly causes = new Set<string>();
  /** Throttled seconds judged on inferred evidence alone (no counter or reason bit said so). */
  inferredS = 0;

  add(s: SummarySample, m: SummaryMetric, gapS: number, th: SummaryThrottle | null): void {
    const { t, util_pct: util } = s;
    if (th) this.addThrottle(t, th, gapS);
    const power = isReading(m.power_source) ? s.power_w : null;
    const temp = isReading(s.temp_src) ? s.temp_c : null;
    this.samples++;
    if (t < this.tMin) this.tMin = t;
    if (t > this.tMax) this.tMax = t;
    if (this.tPrev !== null) {
      const step = t - this.tPrev;
      if (step < 0) this.outOfOrder++;
      if (step > gapS) {
        this.gapCount++;
        if (step > this.longestGap) this.longestGap = step;
      }
      if (this.longestStep === null || step > this.longestStep) this.longestStep = step;
    }
    this.tPrev = t;
    this.check.add(util, temp, power);
    if (s.temp_c !== null && s.temp_src === 'constant') this.tempLabelled = true;
    if (s.power_w !== null && (m.power_source === 'constant' || m.power_source === 'derived')) this.powerLabel = m.power_source;
    if (m.collapse === 1) this.collapseSamples++;
    if (this.edges.push('', m.collapse) === 'start') this.collapseEvents++;
    this.smSum += m.rle_smoothed;
    if (m.rle_smoothed < this.smMin) this.smMin = m.rle_smoothed;
    if (m.rle_smoothed > this.smMax) this.smMax = m.rle_smoothed;
    this.ethSum += m.E_th;
    this.epwSum += m.E_pw;
    if (util !== null) {
      this.utilN++;
      this.utilSum += util;
    }
    if (power !== null) {
      this.powerN++;
      this.powerSum += power;
      if (power > this.powerMax) this.powerMax = power;
    }
    if (temp !== null) {
      this.tempN++;
      this.tempSum += temp;
      if (temp > this.tempMax) this.tempMax = temp;
    }
  }

  /** The sample's answer covers the step since the previous sample (at most a gap's length). */
  private addThrottle(t: number, th: SummaryThrottle, gapS: number): void {
    this.judged = true;
    const dt = this.tPrev === null ? 0 : Math.min(Math.max(0, t - this.tPrev), gapS);
    if (th.throttled === 1) {
      this.throttledS += dt;
      th.causes.forEach((c) => this.causes.add(c));
      if (th.inferred) this.inferredS += dt;
    } else if (th.throttled === 0) this.unthrottledS += dt;
    else this.unknownS += dt;
  }

  private throttleResult(): DeviceSummary['throttle'] {
    if (!this.judged) return null;
    const known = this.throttledS + this.unthrottledS;
    return { throttled_s: this.throttledS, unthrottled_s: this.unthrottledS, unknown_s: this.unknownS, share: known > 0 ? this.throttledS / known : null, causes: [...this.causes], inferred: this.throttledS > 0 && this.inferredS >= this.throttledS, inferred_s: this.inferredS };
  }

  /** Readings of temperature and power that turned out not to be readings (constant, derived) count as none. */
  readings(): { tempN: number; powerN: number; temp: ReturnType<ReadingCheck['tempVerdict']>; power: ReturnType<ReadingCheck['powerVerdict']> } {
    const temp = this.check.tempVerdict(), power = this.check.powerVerdict();
    return { tempN: temp.verdict ? 0 : this.tempN, powerN: power.verdict ? 0 : this.powerN, temp, power };
  }

  /** Why no collapse could be detected, or null when one could. */
  collapseNote(): string | null {
    const r = this.readings();
    if (r.tempN > 0) return null;
    return r.temp.verdict || this.tempLabelled ? 'no collapse can be detected: the temperature is a constant, not a reading' : 'no collapse can be detected without a temperature reading';
  }

  result(): DeviceSummary {
    const n = this.samples;
    const share = (k: number): number | null => (n > 0 ? k / n : null);
    const mean = (s: number, k: number): number | null => (k > 0 ? s / k : null);
    const r = this.readings();
    const collapseNote = this.collapseNote();
    return {
      samples: n,
      duration_s: n > 0 ? this.tMax - this.tMin : null,
      gaps: { count: this.gapCount, longest_s: this.longestGap },
      longest_step_s: this.longestStep,
      collapse_samples: this.collapseSamples,
      collapse_rate: collapseNote ? null : share(this.collapseSamples),
      collapse_note: collapseNote,
      collapse_events: this.collapseEvents,
      rle_smoothed: {
        mean: mean(this.smSum, n),
        min: n > 0 ? this.smMin : null,
        max: n > 0 ? this.smMax : null,
      },
      E_th_mean: mean(this.ethSum, n),
      E_pw_mean: mean(this.epwSum, n),
      power_w: {
        mean: mean(this.powerSum, r.powerN),
        max: r.powerN > 0 ? this.powerMax : null,
        measured_share: share(r.powerN),
        label: r.power.verdict ?? this.powerLabel,
      },
      temp_c: {
        mean: mean(this.tempSum, r.tempN),
        max: r.tempN > 0 ? this.tempMax : null,
        available_share: share(r.tempN),
        label: r.temp.verdict === 'constant' || this.tempLabelled ? 'constant' : null,
      },
      util_pct_mean: mean(this.utilSum, this.utilN),
      throttle: this.throttleResult(),
    };
  }
}


export class SummaryBuilder {
  private readonly devices = new Map<string, DeviceAccumulator>();

  /** @param nominalPeriodS nominal sampling period, seconds; a gap is a step over twice it. */
  constructor(private readonly nominalPeriodS: number) {}

  /** One sample of `device` and its metric row (power counts only where the metric used a reading). */
  add(device: string, s: SummarySample, m: SummaryMetric, th: SummaryThrottle | null = null): void {
    let acc = this.devices.get(device);
    if (!acc) {
      acc = new DeviceAccumulator();
      this.devices.set(device, acc);
    }
    acc.add(s, m, 2 * this.nominalPeriodS, th);
  }

  result(source: string, rows: number, malformedRows: number): SessionSummary {
    const devices: Record<string, DeviceSummary> = {};
    for (const [name, acc] of this.devices) devices[name] = acc.result();
    return { source, rows, malformed_rows: malformedRows, devices };
  }

  /**
   * What the numbers cannot say, per device: estimated power, missing temperature, readings
   * that look like constants written by a tool, samples out of time order.
   */
  notes(): string[] {
    const out: string[] = [];
    for (const [name, a] of this.devices) {
      const n = a.samples;
      const r = a.readings();
      if (r.power.why) out.push(`${name}: power_w is ${r.power.why}; a_load and E_pw carry no information`);
      else if (a.powerLabel) out.push(`${name}: power_w is labelled ${a.powerLabel} (not a reading; found on import); a_load and E_pw carry no information`);
      else if (a.powerN === 0) {
        out.push(`${name}: no power reading; a_load and E_pw are estimated from utilization (rated × util) and carry no information`);
      } else if (a.powerN < n) {
        out.push(`${name}: power measured on ${a.powerN} of ${n} samples; the rest estimated from utilization`);
      }
      if (r.temp.why) out.push(`${name}: temp_c is ${r.temp.why}; collapses cannot be detected`);
      else if (a.tempLabelled) out.push(`${name}: temp_c is labelled constant (not a reading; found on import); collapses cannot be detected`);
      else if (a.tempN === 0) {
        out.push(`${name}: no temperature reading; t_sustain_s stays at its cap and collapses cannot be detected`);
      }
      if (a.outOfOrder > 0) out.push(`${name}: ${a.outOfOrder} step${a.outOfOrder === 1 ? ' goes' : 's go'} back in time (rows out of order)`);
    }
    return out;
  }
}
