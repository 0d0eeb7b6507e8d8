/**
 * Rule "gpu reasons" (direct): NVIDIA's clocks_event_reasons.active (formerly
 * clocks_throttle_reasons.active) bitmask, decoded with NVML's bit values. gpu_idle and
 * applications_clocks_setting hold clocks down by choice, not throttling; every other bit,
 * unknown ones included, is. Masks may exceed 2^32, so bits are read through BigInt.
 */
import { orderedCauses, type Cause, type ThrottleRule } from './types.js';

/** One NVML reason bit; cause null: the bit is not a throttle. */
export interface GpuReasonBit {
  readonly bit: number;
  readonly name: string;
  readonly cause: Cause | null;
}

export const GPU_REASON_BITS: readonly GpuReasonBit[] = [
  { bit: 0x1, name: 'gpu_idle', cause: null },
  { bit: 0x2, name: 'applications_clocks_setting', cause: null },
  { bit: 0x4, name: 'sw_power_cap', cause: 'power' },
  { bit: 0x8, name: 'hw_slowdown', cause: 'hardware' },
  { bit: 0x10, name: 'sync_boost', cause: 'other' },
  { bit: 0x20, name: 'sw_thermal_slowdown', cause: 'thermal' },
  { bit: 0x40, name: 'hw_thermal_slowdown', cause: 'thermal' },
  { bit: 0x80, name: 'hw_power_brake_slowdown', cause: 'power' },
  { bit: 0x100, name: 'display_clock_setting', cause: 'other' },
];

export interface DecodedReasons {
  /** Names of the set bits, low bit first; unknown bits as `unknown_0x…`. */
  names: string[];
  /** Causes of the throttling bits (vocabulary order). */
  causes: Cause[];
  /** Whether any set bit is a throttle. */
  throttling: boolean;
}

/** Decodes a mask; null when it is not a non-negative integer. */
export function decodeGpuReasons(mask: number | bigint): DecodedReasons | null {
  if (typeof mask === 'number' && !(Number.isSafeInteger(mask) && mask >= 0)) return null;
  let m = BigInt(mask);
  if (m < 0n) return null;
  const names: string[] = [];
  const causes: Cause[] = [];
  let throttling = false;
  for (const b of GPU_REASON_BITS) {
    const bit = BigInt(b.bit);
    if ((m & bit) === 0n) continue;
    m &= ~bit;
    names.push(b.name);
    if (b.cause === null) continue;
    throttling = true;
    causes.push(b.cause);
  }
  for (let bit = 1n; m > 0n; bit <<= 1n) {
    if ((m & bit) === 0n) continue;
    m &= ~bit;
    names.push(`unknown_0x${bit.toString(16)}`);
    causes.push('other');
    throttling = true;
  }
  return { names, causes: orderedCauses(causes), throttling };
}

export const gpuReasonsRule: ThrottleRule = (cur) => {
  if (cur.gpu_reasons === null) return null;
  const d = decodeGpuReasons(cur.gpu_reasons);
  const hex = Number.isSafeInteger(cur.gpu_reasons) ? `0x${cur.gpu_reasons.toString(16)}` : String(cur.gpu_reasons);
  if (d === null) return { throttled: null, causes: [], inferred: false, reason: `clocks_event_reasons ${hex} is not a bitmask` };
  const what = d.names.length > 0 ? d.names.join(', ') : 'none';
  return d.throttling
    ? { throttled: 1, causes: d.causes, inferred: false, reason: `clocks_event_reasons ${hex}: ${what}` }
    : { throttled: 0, causes: [], inferred: false, reason: `clocks_event_reasons ${hex}: ${what} (no throttle)` };
};
