/**
 * Pure half of the nvidia-smi source: which fields to query, one CSV line → one GPU sample,
 * the clocks-event-reasons bitmask, the energy integral, and sample → Reading[]. No I/O, so
 * all of it is tested on strings; ./nvidia-smi.ts owns the child process.
 */
import { failed, ok, unavailable, type Reading, type ReadingKind } from './types.js';

/** Queried in this order; `index` must stay first (it names the device). */
export const QUERY_FIELDS = [
  'index',
  'uuid',
  'name',
  'utilization.gpu',
  'utilization.memory',
  'temperature.gpu',
  // Headroom to the slowdown temperature, °C (newer drivers; [N/A] or rejected elsewhere).
  'temperature.gpu.tlimit',
  'power.draw',
  'power.limit',
  'enforced.power.limit',
  'clocks.sm',
  'clocks.max.sm',
  'clocks.mem',
  'memory.used',
  'memory.total',
  'fan.speed',
  'clocks_event_reasons.active',
] as const;
export type Field = (typeof QUERY_FIELDS)[number];

/** Older names for a field, tried in order when a driver rejects the current one. */
const ALIASES: Partial<Record<Field, readonly string[]>> = {
  // Renamed from clocks_throttle_reasons.* in newer drivers; old drivers know only this name.
  'clocks_event_reasons.active': ['clocks_throttle_reasons.active'],
};

/** Field → the name sent to nvidia-smi; null once every name for it was rejected. */
export type FieldNames = ReadonlyMap<Field, string | null>;

export function initialFieldNames(): FieldNames {
  return new Map(QUERY_FIELDS.map((f) => [f, f]));
}

/** The `--query-gpu` list, in query order. */
export function queryList(names: FieldNames): string[] {
  return [...names.values()].filter((n): n is string => n !== null);
}

/** The field name in nvidia-smi's `Field "x" is not a valid field to query.`, if present. */
export function rejectedField(output: string): string | null {
  return /Field "([^"]+)" is not a valid field to query/.exec(output)?.[1] ?? null;
}

/**
 * Names after the driver rejected `rejected`: its next older alias, or the field dropped.
 * Null when there is nothing to change (unknown name, or `index`), so callers cannot loop.
 */
export function withoutRejected(names: FieldNames, rejected: string): FieldNames | null {
  for (const [field, sent] of names) {
    if (sent !== rejected || field === 'index') continue;
    const chain = [field, ...(ALIASES[field] ?? [])];
    const next = chain[chain.indexOf(sent) + 1] ?? null;
    return new Map(names).set(field, next);
  }
  return null;
}

/** One GPU's line: trimmed text per queried field (absent = not queried on this driver). */
export interface GpuSample {
  readonly index: number;
  readonly values: Partial<Record<Field, string>>;
}

/** A `csv,noheader,nounits` line, or null when it is not one (an error message, a blank). */
export function parseLine(line: string, names: FieldNames): GpuSample | null {
  const sent = [...names].filter((e): e is [Field, string] => e[1] !== null).map(([f]) => f);
  let parts = line.split(',').map((p) => p.trim());
  const extra = parts.length - sent.length;
  const nameAt = sent.indexOf('name');
  // nvidia-smi does not quote; a comma inside a GPU name shows up as extra columns.
  if (extra > 0 && nameAt >= 0) {
    parts = [...parts.slice(0, nameAt), parts.slice(nameAt, nameAt + extra + 1).join(', '), ...parts.slice(nameAt + extra + 1)];
  }
  if (parts.length !== sent.length || !/^\d+$/.test(parts[0] ?? '')) return null;
  const values: Partial<Record<Field, string>> = {};
  sent.forEach((f, i) => (values[f] = parts[i] ?? ''));
  return { index: Number(parts[0]), values };
}

/** A numeric field, or why there is none (status 'unavailable' vs 'error'). */
export type FieldValue = { value: number } | { status: 'unavailable' | 'error'; reason: string };

export function fieldValue(sample: GpuSample, field: Field): FieldValue {
  const raw = sample.values[field];
  if (raw === undefined) return { status: 'unavailable', reason: `nvidia-smi: ${field} not supported by this driver` };
  // nvidia-smi's placeholders: [N/A], [Not Supported], [Unknown Error], N/A, or nothing.
  if (raw === '' || raw === 'N/A' || /^\[.*\]$/.test(raw)) {
    return { status: 'unavailable', reason: `nvidia-smi: ${raw === '' ? 'empty field' : raw}` };
  }
  // Bitmasks come as 0x + 16 hex digits (64 bit); BigInt keeps the parse exact.
  const value = /^0x[0-9a-f]+$/i.test(raw) ? Number(BigInt(raw)) : Number(raw);
  if (!Number.isFinite(value)) return { status: 'error', reason: `nvidia-smi: cannot parse "${raw}" as a number` };
  return { value };
}

/** NVML's clocks event reason bits (nvmlClocksEventReason*), lowest first. */
const EVENT_REASONS = [
  'gpu_idle',
  'applications_clocks_setting',
  'sw_power_cap',
  'hw_slowdown',
  'sync_boost',
  'sw_thermal_slowdown',
  'hw_thermal_slowdown',
  'hw_power_brake_slowdown',
  'display_clock_setting',
] as const;

/** Names of the bits set in an NVML clocks event reasons mask; unknown bits as `0x…`. */
export function decodeClockEventReasons(mask: number): string[] {
  const names: string[] = [];
  let rest = BigInt(Math.trunc(mask));
  for (let bit = 0n; rest > 0n; bit++, rest >>= 1n) {
    if ((rest & 1n) === 0n) continue;
    names.push(EVENT_REASONS[Number(bit)] ?? `0x${(1n << bit).toString(16)}`);
  }
  return names;
}

/** Energy integrated from sampled power.draw: derived from measurements (nvidia-smi's query has no energy counter). */
export interface EnergyState {
  readonly joules: number;
  readonly lastWatts: number | null;
  /** ctx.now() of the last line with a power value, ms. */
  readonly lastAt: number | null;
}

export const NO_ENERGY: EnergyState = { joules: 0, lastWatts: null, lastAt: null };

/**
 * Trapezoid rule between consecutive power samples. Gaps longer than maxGapMs (a hang, a
 * restart after backoff) are not bridged: the counter then undercounts rather than invents.
 */
export function integrateEnergy(e: EnergyState, watts: number | null, at: number, maxGapMs: number): EnergyState {
  if (watts === null) return { ...e, lastWatts: null };
  const dtMs = e.lastAt === null ? Infinity : at - e.lastAt;
  const add = e.lastWatts !== null && dtMs >= 0 && dtMs <= maxGapMs ? ((e.lastWatts + watts) / 2) * (dtMs / 1000) : 0;
  return { joules: e.joules + add, lastWatts: watts, lastAt: at };
}

interface Metric {
  readonly field: Field;
  readonly suffix: string;
  readonly kind: ReadingKind;
  readonly unit: string;
  /** Multiplier to the reading's unit (MiB → bytes). */
  readonly scale?: number;
  readonly primary?: boolean;
}

const MIB = 1024 * 1024;

const METRICS: readonly Metric[] = [
  { field: 'utilization.gpu', suffix: 'util', kind: 'util', unit: '%', primary: true },
  { field: 'utilization.memory', suffix: 'mem_util', kind: 'util', unit: '%' },
  { field: 'temperature.gpu', suffix: 'temp', kind: 'temp', unit: '°C', primary: true },
  { field: 'power.draw', suffix: 'power', kind: 'power', unit: 'W', primary: true },
  { field: 'power.limit', suffix: 'power_limit', kind: 'power', unit: 'W' },
  { field: 'enforced.power.limit', suffix: 'power_limit_enforced', kind: 'power', unit: 'W' },
  { field: 'temperature.gpu.tlimit', suffix: 'temp_tlimit', kind: 'temp', unit: '°C' },
  { field: 'clocks.sm', suffix: 'clock_sm', kind: 'freq', unit: 'MHz' },
  { field: 'clocks.max.sm', suffix: 'clock_sm_max', kind: 'freq', unit: 'MHz' },
  { field: 'clocks.mem', suffix: 'clock_mem', kind: 'freq', unit: 'MHz' },
  { field: 'memory.used', suffix: 'mem_used', kind: 'mem', unit: 'bytes', scale: MIB },
  { field: 'memory.total', suffix: 'mem_total', kind: 'mem', unit: 'bytes', scale: MIB },
  { field: 'fan.speed', suffix: 'fan', kind: 'fan', unit: '%' },
];

/** Why a whole GPU has no current data (stale, child exited, source closed). */
export interface GpuFailure {
  readonly status: 'error' | 'unavailable';
  readonly reason: string;
}

/**
 * One GPU's readings from its latest line. With a failure every value reading carries it;
 * `gpuN.name` stays ok, since identity does not go stale.
 */
export function gpuReadings(sample: GpuSample, energy: EnergyState, source: string, failure: GpuFailure | null, maxGapS: number): Reading[] {
  const device = `gpu${sample.index}`;
  const base = (suffix: string, kind: ReadingKind, unit: string) => ({ id: `${device}.${suffix}`, device, kind, unit, source });
  const numeric = (b: Omit<Reading, 'status' | 'value' | 'reason'>, v: FieldValue, scale = 1): Reading => {
    if (failure) return failure.status === 'error' ? failed(b, failure.reason) : unavailable(b, failure.reason);
    if ('value' in v) return ok(b, v.value * scale);
    return v.status === 'error' ? failed(b, v.reason) : unavailable(b, v.reason);
  };

  const out: Reading[] = [];
  const uuid = sample.values.uuid ?? '';
  const name = sample.values.name ?? 'unknown GPU';
  out.push({ ...base('name', 'info', ''), status: 'ok', value: null, reason: null, detail: uuid ? `${name} (${uuid})` : name });
  for (const m of METRICS) {
    const b = { ...base(m.suffix, m.kind, m.unit), ...(m.primary ? { primary: true } : {}) };
    out.push(numeric(b, fieldValue(sample, m.field), m.scale));
  }

  const mask = fieldValue(sample, 'clocks_event_reasons.active');
  const names = 'value' in mask ? decodeClockEventReasons(mask.value) : [];
  const throttle = { ...base('throttle', 'throttle', 'bitmask'), detail: names.length > 0 ? names.join(',') : 'none' };
  out.push(numeric(throttle, mask));

  out.push(...derivedReadings(sample, base, failure));
  const power = fieldValue(sample, 'power.draw');
  const e = {
    ...base('energy', 'energy', 'J'),
    provenance: 'derived' as const,
    detail: `derived: trapezoid integral of measured power.draw between nvidia-smi lines; gaps over ${maxGapS} s not bridged`,
  };
  if (energy.lastAt === null && !('value' in power)) out.push(numeric(e, { status: power.status, reason: `power.draw: ${power.reason}` }));
  else out.push(numeric(e, { value: energy.joules }));
  return out;
}

/**
 * The throttle detector's derived evidence: the slowdown temperature (temperature.gpu +
 * temperature.gpu.tlimit, the headroom the driver reports) and the SM clock ratio
 * (clocks.sm / clocks.max.sm). Unavailable with the reason when an input is missing.
 */
function derivedReadings(sample: GpuSample, base: (suffix: string, kind: ReadingKind, unit: string) => Omit<Reading, 'status' | 'value' | 'reason'>, failure: GpuFailure | null): Reading[] {
  const pair = (a: Field, b: Field, f: (x: number, y: number) => number | null, suffix: string, kind: ReadingKind, unit: string, how: string): Reading => {
    const r = { ...base(suffix, kind, unit), provenance: 'derived' as const, detail: `derived: ${how}` };
    if (failure) return failure.status === 'error' ? failed(r, failure.reason) : unavailable(r, failure.reason);
    const x = fieldValue(sample, a), y = fieldValue(sample, b);
    if (!('value' in x)) return unavailable(r, `${a}: ${x.reason}`);
    if (!('value' in y)) return unavailable(r, `${b}: ${y.reason}`);
    const v = f(x.value, y.value);
    return v === null ? unavailable(r, `${b} is 0`) : ok(r, v);
  };
  return [
    pair('temperature.gpu', 'temperature.gpu.tlimit', (t, h) => t + h, 'temp_limit', 'temp', '°C', 'temperature.gpu + temperature.gpu.tlimit (the slowdown temperature)'),
    pair('clocks.sm', 'clocks.max.sm', (c, m) => (m > 0 ? c / m : null), 'clock_ratio', 'ratio', '', 'clocks.sm / clocks.max.sm'),
  ];
}

/** Each GPU's rated power, W, from ok `gpuN.power_limit` readings: `{ gpu0: 700, … }`. */
export function ratedPowerFromReadings(readings: readonly Reading[]): Record<string, number> {
  const rated: Record<string, number> = {};
  for (const r of readings) {
    if (r.id === `${r.device}.power_limit` && r.status === 'ok' && r.value !== null) rated[r.device] = r.value;
  }
  return rated;
}
