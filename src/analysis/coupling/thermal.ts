/**
 * The thermal series of a device as the coupling uses them, with why one is unusable. The
 * caller nulls readings that are not real (estimated, constant, derived from utilization);
 * power flagged as estimated is dropped here too, and a series whose present values never
 * change is a missing reading (a constant correlates with nothing).
 */
import type { DeviceSeries } from '../../replay/series.js';

export type ThermalMetric = 'rle_smoothed' | 'temp_c' | 'power_w' | 'util_pct';
export const THERMAL_METRICS: readonly ThermalMetric[] = ['rle_smoothed', 'temp_c', 'power_w', 'util_pct'];

export interface ThermalSeries {
  values: Float64Array;
  /** Why the series cannot be used (missing or constant); absent when it can. */
  missing?: string;
}

function varies(v: Float64Array): boolean {
  let first = NaN;
  for (const x of v) {
    if (!Number.isFinite(x)) continue;
    if (first !== first) first = x;
    else if (x !== first) return true;
  }
  return false;
}

/** The series over samples [i0, i1). */
export function thermalSeries(d: DeviceSeries, m: ThermalMetric, i0 = 0, i1 = d.t.length): ThermalSeries {
  const raw = d[m];
  const values = new Float64Array(Math.max(0, i1 - i0));
  for (let i = i0; i < i1; i++) {
    const v = raw[i];
    values[i - i0] = v === null || v === undefined || (m === 'power_w' && d.power_estimated[i] === 1) ? NaN : v;
  }
  if (!values.some((v) => Number.isFinite(v))) {
    const why = m === 'power_w' ? 'power not measured (an estimate from utilization carries no information of its own)' : m === 'temp_c' ? 'temperature not measured' : `${m} missing`;
    return { values, missing: why };
  }
  if (!varies(values)) return { values, missing: `${m} does not vary here (a constant reading has no correlation)` };
  return { values };
}

/** Why the device has no thermal reading at all (neither temperature nor measured power), or null when it has one. */
export function noThermalReading(d: DeviceSeries): string | null {
  const temp = thermalSeries(d, 'temp_c'), power = thermalSeries(d, 'power_w');
  if (!temp.missing || !power.missing) return null;
  return `no thermal reading: ${temp.missing}; ${power.missing}; rle_smoothed would then follow utilization alone`;
}
