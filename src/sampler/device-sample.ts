/**
 * Turns one tick's readings into one SampleRecord per device: the primary util/temp/power
 * readings (with provenance, or null with the reason kept aside), and the device's other ok
 * readings as extras. Pure.
 */
import { deviceClassOf } from '../core/device.js';
import type { Provenance } from '../core/provenance.js';
import type { PrimaryKind } from '../sensors/registry.js';
import { primaries } from '../sensors/registry.js';
import { shortSource, type Reading } from '../sensors/types.js';
import type { SampleRecord } from '../store/session-store.js';

export interface PowerEstimate {
  /** Idle power, W, and rated power, W, for `idle + (rated − idle) × util` (CPU only). */
  readonly idleW: number;
  readonly ratedW: number;
}

export interface DeviceSampleOptions {
  /** Device names or classes to keep; empty keeps all. */
  readonly devices: readonly string[];
  /** Opt-in, labelled power estimate for CPUs without a power reading. */
  readonly estimatePower: PowerEstimate | null;
}

export function deviceSelected(device: string, wanted: readonly string[]): boolean {
  return wanted.length === 0 || wanted.includes(device) || wanted.includes(deviceClassOf(device));
}

/** The devices buildSamples makes a sample for: those with a utilization reading, if selected. */
export function sampledDevices(readings: readonly Reading[], o: DeviceSampleOptions): string[] {
  return [...primaries(readings)].flatMap(([device, p]) => (p.util && deviceSelected(device, o.devices) ? [device] : []));
}

/** Why each primary reading is missing, per device: for the capability line and the manifest. */
export type Gaps = Record<string, Partial<Record<PrimaryKind, string>>>;

const KINDS = ['util', 'temp', 'power'] as const;
const valueOf = (r: Reading | undefined): number | null => (r?.status === 'ok' ? r.value : null);
const provenanceOf = (r: Reading | undefined): Provenance | null => (r?.status === 'ok' ? (r.provenance ?? 'measured') : null);

export function buildSamples(
  readings: readonly Reading[],
  t: number,
  scheduledT: number,
  o: DeviceSampleOptions,
): { samples: SampleRecord[]; gaps: Gaps } {
  const samples: SampleRecord[] = [];
  const gaps: Gaps = {};
  for (const [device, p] of primaries(readings)) {
    if (!p.util || !deviceSelected(device, o.devices)) continue;
    const g: Partial<Record<PrimaryKind, string>> = {};
    for (let i = 0; i < KINDS.length; i++) {
      const k = KINDS[i]!;
      if (p[k]?.status !== 'ok') g[k] = p[k]?.reason ?? 'no sensor offers it';
    }
    let power = valueOf(p.power);
    let powerSrc = provenanceOf(p.power);
    const util = valueOf(p.util);
    if (power === null && o.estimatePower && util !== null && deviceClassOf(device) === 'cpu') {
      const { idleW, ratedW } = o.estimatePower;
      power = idleW + ((ratedW - idleW) * util) / 100;
      powerSrc = 'estimated';
    }
    const extra: Record<string, number | null> = {};
    for (let i = 0; i < readings.length; i++) {
      const r = readings[i]!;
      if (r.device === device && !r.primary && r.status === 'ok' && r.value !== null) extra[r.id] = r.value;
    }
    samples.push({
      device,
      t,
      scheduled_t: scheduledT,
      util_pct: util,
      temp_c: valueOf(p.temp),
      power_w: power,
      util_src: provenanceOf(p.util),
      temp_src: provenanceOf(p.temp),
      power_src: powerSrc,
      extra,
    });
    gaps[device] = g;
  }
  return { samples, gaps };
}

/** "cpu: util measured (/proc/stat); temp unavailable (…); power unavailable (…)" */
export function capabilityLines(readings: readonly Reading[], o: DeviceSampleOptions): string[] {
  const lines: string[] = [];
  for (const [device, p] of primaries(readings)) {
    if (!deviceSelected(device, o.devices) || !p.util) continue;
    const parts = (['util', 'temp', 'power'] as const).map((k) => {
      const r = p[k];
      if (r?.status === 'ok') return `${k} measured (${shortSource(r.source)})`;
      if (k === 'power' && o.estimatePower && deviceClassOf(device) === 'cpu') {
        return `power ESTIMATED as ${o.estimatePower.idleW} + (${o.estimatePower.ratedW} − ${o.estimatePower.idleW}) W × util (${r?.reason ?? 'no power sensor'})`;
      }
      return `${k} unavailable (${r?.reason ?? 'no sensor offers it'})`;
    });
    lines.push(`${device}: ${parts.join('; ')}`);
  }
  return lines;
}
