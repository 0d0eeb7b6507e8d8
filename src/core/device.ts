import {
  DETECTOR_DEFAULTS,
  DEVICE_CURVE,
  DEFAULT_DT_S,
  RATED_POWER_W,
  TEMP_LIMIT_C,
  type DetectorParams,
  type DeviceClass,
  type DeviceCurve,
} from './constants.js';

/** Spec §Device classes: by name prefix, case-insensitive. */
export function deviceClassOf(device: string): DeviceClass {
  const d = device.trim().toLowerCase();
  if (d.startsWith('cpu')) return 'cpu';
  if (d.startsWith('gpu')) return 'gpu';
  return 'other';
}

/** Everything one device stream needs, fully resolved. */
export interface DeviceParams extends DetectorParams {
  readonly device: string;
  readonly deviceClass: DeviceClass;
  /** Nominal sampling period, seconds. */
  readonly dtS: number;
  /** Rated power, watts. */
  readonly ratedPowerW: number;
  /** Temperature limit, °C. */
  readonly tempLimitC: number;
  readonly curve: DeviceCurve;
}

/**
 * Per-device overrides keyed by device name or class (`cpu`, `gpu`, `other`);
 * an exact device name wins over its class.
 */
export type DeviceMap<T> = Readonly<Record<string, T>>;

export interface EngineOptions {
  /** Nominal sampling period, seconds (default 1). */
  readonly dtS?: number;
  /** Nominal sampling rate, Hz: dtS = 1 / hz (give one of the two). */
  readonly hz?: number;
  readonly detector?: Partial<DetectorParams>;
  /** Rated power overrides, watts. */
  readonly rated?: DeviceMap<number>;
  /** Temperature limit overrides, °C. */
  readonly limit?: DeviceMap<number>;
  readonly curve?: DeviceMap<DeviceCurve>;
}

function pick<T>(map: DeviceMap<T> | undefined, device: string, cls: DeviceClass): T | undefined {
  if (!map) return undefined;
  if (Object.hasOwn(map, device)) return map[device];
  if (Object.hasOwn(map, cls)) return map[cls];
  return undefined;
}

const OPTION_KEYS = new Set(['dtS', 'hz', 'detector', 'rated', 'limit', 'curve']);

/** Programmer-error check of engine options for library callers (plain JS included): unknown keys and bad rates throw. */
export function checkEngineOptions(o: EngineOptions): void {
  if (o === null || typeof o !== 'object') throw new TypeError('rle engine: options must be an object');
  for (const k of Object.keys(o)) if (!OPTION_KEYS.has(k)) throw new TypeError(`rle engine: unknown option "${k}" (one of ${[...OPTION_KEYS].join(', ')})`);
  if (o.hz !== undefined && !(typeof o.hz === 'number' && o.hz > 0 && Number.isFinite(o.hz))) throw new RangeError(`rle engine: hz must be a number > 0, got ${String(o.hz)}`);
  if (o.hz !== undefined && o.dtS !== undefined && Math.abs(o.dtS - 1 / o.hz) > 1e-12) throw new RangeError('rle engine: give hz or dtS, not two different rates');
  if (o.detector) for (const k of Object.keys(o.detector)) if (!(k in DETECTOR_DEFAULTS)) throw new TypeError(`rle engine: unknown detector parameter "${k}"`);
}

export function resolveDeviceParams(device: string, options: EngineOptions = {}): DeviceParams {
  const deviceClass = deviceClassOf(device);
  return {
    ...DETECTOR_DEFAULTS,
    ...options.detector,
    device,
    deviceClass,
    dtS: options.dtS ?? (options.hz !== undefined ? 1 / options.hz : DEFAULT_DT_S),
    ratedPowerW: pick(options.rated, device, deviceClass) ?? RATED_POWER_W[deviceClass],
    tempLimitC: pick(options.limit, device, deviceClass) ?? TEMP_LIMIT_C[deviceClass],
    curve: pick(options.curve, device, deviceClass) ?? DEVICE_CURVE[deviceClass],
  };
}

/** Programmer-error check for library callers; the CLI validates its flags before this. */
export function checkDeviceParams(p: DeviceParams): void {
  const bad = (what: string): never => {
    throw new RangeError(`rle engine (${p.device}): ${what}`);
  };
  if (!Number.isInteger(p.window) || p.window < 1) bad(`window must be an integer ≥ 1, got ${p.window}`);
  if (!Number.isInteger(p.hysteresis) || p.hysteresis < 1) bad(`hysteresis must be an integer ≥ 1, got ${p.hysteresis}`);
  if (!(p.peakDecay > 0 && p.peakDecay <= 1)) bad(`peakDecay must be in (0, 1], got ${p.peakDecay}`);
  if (!(p.dropFrac > 0 && p.dropFrac <= 1)) bad(`dropFrac must be in (0, 1], got ${p.dropFrac}`);
  if (!(p.dtS > 0 && Number.isFinite(p.dtS))) bad(`dtS must be > 0, got ${p.dtS}`);
  if (!(p.ratedPowerW > 0 && Number.isFinite(p.ratedPowerW))) bad(`ratedPowerW must be > 0, got ${p.ratedPowerW}`);
  if (!Number.isFinite(p.tempLimitC)) bad(`tempLimitC must be finite, got ${p.tempLimitC}`);
  if (!(p.maxTSustainS >= 1)) bad(`maxTSustainS must be ≥ 1, got ${p.maxTSustainS}`);
  const { baseline, optimum, knee } = p.curve;
  if (!(knee > 0 && knee < 100) || !Number.isFinite(baseline) || !Number.isFinite(optimum)) bad('curve needs finite values and 0 < knee < 100');
}
