/**
 * The RLE formula, spec steps 1–8: pure functions of numbers, no state.
 * Units: utilization in % (0–100), temperatures in °C, power in W, times in s.
 */
import type { DeviceCurve } from './constants.js';
import { MIN_A_LOAD, MIN_HEATING_RATE_C_PER_S, MIN_T_SUSTAIN_S } from './constants.js';

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Population standard deviation of values[0..n) (0 while fewer than 2). */
export function populationSd(values: ArrayLike<number>, n: number): number {
  if (n < 2) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / n);
}

/** Step 2: stability from the utilization sd, which is in percentage points (a known quirk). */
export function stabilityOf(utilSdPct: number): number {
  return 1 / (1 + utilSdPct);
}

/**
 * Step 4: seconds until the temperature limit at the current heating rate.
 * tPrev/tLast are the last two known temperatures (°C); dtS the nominal period.
 */
export function tSustainS(
  tPrev: number,
  tLast: number,
  dtS: number,
  tempLimitC: number,
  maxTSustainS: number,
): number {
  const rate = Math.max((tLast - tPrev) / dtS, MIN_HEATING_RATE_C_PER_S);
  return clamp((tempLimitC - tLast) / rate, MIN_T_SUSTAIN_S, maxTSustainS);
}

/** Step 5. */
export function rleRaw(eta: number, stability: number, aLoad: number, tSustain: number): number {
  return (eta * stability) / (Math.max(aLoad, MIN_A_LOAD) * (1 + 1 / tSustain));
}

/** Step 7: thermal component. */
export function thermalEfficiency(stability: number, tSustain: number): number {
  return stability / (1 + 1 / tSustain);
}

/** Step 7: power component. */
export function powerEfficiency(eta: number, aLoad: number): number {
  return eta / Math.max(aLoad, MIN_A_LOAD);
}

/** Step 8: the expected rle_smoothed at utilization u (%) on a device curve. */
export function expectedRle(u: number, curve: DeviceCurve): number {
  const { baseline: b, optimum: o, knee: k } = curve;
  return u <= k ? b + ((o - b) * u) / k : o - ((o - b / 2) * (u - k)) / (100 - k);
}

export function rleNorm(rleSmoothed: number, u: number, curve: DeviceCurve): number {
  return clamp(rleSmoothed / expectedRle(u, curve), 0, 1);
}
