/**
 * A recorded sample as the throttle detector's input: the readings it needs are the sample's
 * own (utilization, temperature) and its extra readings by id — `<device>.clock_ratio`,
 * `<device>.temp_limit` (hwmon crit/max, or a GPU's slowdown temperature), Intel's
 * `cpu.thermal_throttle_count` / `cpu.power_limit_count` / `cpu.throttle_time_ms`, and an
 * NVIDIA GPU's clocks event reasons `<device>.throttle`. The same mapping serves the live
 * sampler and every replay, so a stored session is judged as it was live. Pure.
 */
import { deviceClassOf } from '../../core/device.js';
import { isReading, type Provenance } from '../../core/provenance.js';
import { THROTTLE_DEFAULTS, type ThrottleParams } from './constants.js';
import { ThrottleStream } from './detector.js';
import type { StoredThrottle } from '../../store/session-store.js';
import type { ThrottleInput, ThrottleSample } from './types.js';

/** What the mapping needs of a sample (a SampleRecord fits). */
export interface SampleLike {
  readonly device: string;
  readonly t: number;
  readonly util_pct: number | null;
  readonly temp_c: number | null;
  readonly temp_src: Provenance | null;
  readonly extra?: Readonly<Record<string, number | null>> | null;
}

/** A limit the user gave for a device or its class (`--limit`), °C, which wins over the device's own. */
export function userLimit(device: string, limits: Readonly<Record<string, number>> | undefined): number | null {
  return limits?.[device] ?? limits?.[deviceClassOf(device)] ?? null;
}

export function throttleInputOf(s: SampleLike, limitC: number | null): ThrottleInput {
  const x = (id: string): number | null => {
    const v = s.extra?.[id];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  const cpu = s.device === 'cpu';
  return {
    t: s.t,
    util_pct: s.util_pct,
    // A constant or derived "temperature" is no evidence of heat.
    temp_c: isReading(s.temp_src ?? 'measured') ? s.temp_c : null,
    temp_limit_c: limitC ?? x(`${s.device}.temp_limit`),
    clock_ratio: x(`${s.device}.clock_ratio`),
    thermal_throttle_count: cpu ? x('cpu.thermal_throttle_count') : null,
    power_limit_count: cpu ? x('cpu.power_limit_count') : null,
    throttle_time_ms: cpu ? x('cpu.throttle_time_ms') : null,
    gpu_reasons: cpu ? null : x(`${s.device}.throttle`),
  };
}

/** The detector over a session's samples, one stream per device, with interval edges. */
export class SessionThrottle {
  private readonly streams = new Map<string, ThrottleStream>();
  private readonly on = new Map<string, boolean>();

  /** @param limits the user's `--limit` map (by device or class), which wins over a device's own limit */
  constructor(
    private readonly limits?: Readonly<Record<string, number>>,
    private readonly o: ThrottleParams = THROTTLE_DEFAULTS,
  ) {}

  /** The sample's answer, and whether a throttled stretch starts or ends here (`end` only on a "not throttled"). */
  push(s: SampleLike): { answer: ThrottleSample; edge: 'start' | 'end' | null } {
    let st = this.streams.get(s.device);
    if (!st) this.streams.set(s.device, (st = new ThrottleStream(this.o)));
    const answer = st.push(throttleInputOf(s, userLimit(s.device, this.limits)));
    const was = this.on.get(s.device) ?? false;
    let edge: 'start' | 'end' | null = null;
    if (answer.throttled === 1 && !was) edge = 'start';
    else if (answer.throttled === 0 && was) edge = 'end';
    if (edge) this.on.set(s.device, edge === 'start');
    return { answer, edge };
  }
}

/** The detector's answer as the store and the session CSV keep it (causes `;`-separated). */
export function storedThrottle(a: ThrottleSample | undefined): StoredThrottle | null {
  return a ? { throttled: a.throttled, causes: a.causes.length > 0 ? a.causes.join(';') : null } : null;
}

/** `thermal;power` (and ` (inferred)`): what a throttle_start event's detail says. */
export function throttleDetail(a: ThrottleSample): string {
  return `${a.causes.join(';') || 'other'}${a.inferred ? ' (inferred)' : ''}`;
}
