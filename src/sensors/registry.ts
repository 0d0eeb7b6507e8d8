/**
 * The one list of sensor sources, in priority order: when two sources offer the primary
 * reading of a device (hwmon and a thermal zone both for cpu.temp), the first one that is ok
 * wins. The list also drives `rle sensors` and `--disable-sensor`.
 */
import { createCpufreq } from './cpufreq.js';
import { fileHandles } from './file-handles.js';
import { createHwmon } from './hwmon.js';
import { createMeminfo } from './meminfo.js';
import { createNvidiaSmi } from './nvidia-smi.js';
import { createProcStat } from './proc-stat.js';
import { createRapl } from './rapl.js';
import { createThermalZone } from './thermal-zone.js';
import type { Reading, SensorContext, SensorFactory, SensorSource } from './types.js';

export const SOURCES: readonly { readonly name: string; readonly create: SensorFactory; readonly what: string }[] = [
  { name: 'proc-stat', create: createProcStat, what: 'CPU utilization from /proc/stat' },
  { name: 'hwmon', create: createHwmon, what: 'temperatures from hwmon (CPU package and others)' },
  { name: 'thermal-zone', create: createThermalZone, what: 'temperatures from thermal zones' },
  { name: 'rapl', create: createRapl, what: 'CPU energy and power from RAPL counters' },
  { name: 'cpufreq', create: createCpufreq, what: 'CPU frequency from cpufreq' },
  { name: 'meminfo', create: createMeminfo, what: 'memory from /proc/meminfo' },
  { name: 'nvidia-smi', create: createNvidiaSmi, what: 'NVIDIA GPUs from one streaming nvidia-smi' },
];

export const SOURCE_NAMES = SOURCES.map((s) => s.name);

/** Per-source health of the last read: node_exporter's scrape success and duration. */
export interface SourceHealth {
  readonly name: string;
  readonly up: boolean;
  readonly durationMs: number;
  readonly error: string | null;
}

export interface ReadResult {
  readonly readings: Reading[];
  readonly health: SourceHealth[];
}

/**
 * A source whose every reading was 'unavailable' (no such hardware, permission denied) is read
 * again only this often, ms: absent sensors rarely appear, and re-checking them ten times a
 * second is most of an idle probe's cost.
 */
const ABSENT_RECHECK_MS = 30_000;

const TIMED_OUT = Symbol('timed out');

export class SensorSet {
  private readonly absentUntil = new Map<SensorSource, { until: number; readings: Reading[] }>();
  /** Consecutive all-unavailable reads per source (a first delta read is unavailable once). */
  private readonly absentStreak = new Map<SensorSource, number>();

  private constructor(
    readonly sources: readonly SensorSource[],
    private readonly now: () => number,
  ) {}

  /** Creates and probes every enabled source, concurrently. */
  static async open(ctx: SensorContext, disabled: readonly string[] = []): Promise<SensorSet> {
    const sources = SOURCES.filter((s) => !disabled.includes(s.name)).map((s) => s.create(ctx));
    await Promise.all(sources.map((s) => s.probe().catch(() => undefined)));
    return new SensorSet(sources, ctx.now);
  }

  /**
   * Reads every source concurrently; a slow or failing source never stops the others. One
   * deadline timer serves all sources (a timer per source per tick costs more than the reads).
   */
  async read(timeoutMs: number): Promise<ReadResult> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
      timer.unref();
    });
    try {
      const results = await Promise.all(this.sources.map((s) => this.readOne(s, deadline, timeoutMs)));
      return { readings: results.flatMap((r) => r.readings), health: results.map((r) => r.health) };
    } finally {
      clearTimeout(timer);
    }
  }

  private async readOne(s: SensorSource, deadline: Promise<typeof TIMED_OUT>, timeoutMs: number): Promise<{ readings: Reading[]; health: SourceHealth }> {
    const t0 = this.now();
    const cached = this.absentUntil.get(s);
    if (cached && t0 < cached.until) return { readings: cached.readings, health: { name: s.name, up: true, durationMs: 0, error: null } };
    try {
      const readings = await Promise.race([s.read(), deadline]);
      if (readings === TIMED_OUT) throw new Error(`${s.name}: timed out after ${timeoutMs} ms`);
      const absent = readings.length > 0 && readings.every((r) => r.status === 'unavailable');
      const streak = absent ? (this.absentStreak.get(s) ?? 0) + 1 : 0;
      this.absentStreak.set(s, streak);
      if (streak >= 2) this.absentUntil.set(s, { until: t0 + ABSENT_RECHECK_MS, readings });
      else this.absentUntil.delete(s);
      return { readings, health: { name: s.name, up: true, durationMs: this.now() - t0, error: null } };
    } catch (e) {
      return { readings: [], health: { name: s.name, up: false, durationMs: this.now() - t0, error: (e as Error).message } };
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.close().catch(() => undefined)));
    await fileHandles.closeAll();
  }
}

export type PrimaryKind = 'util' | 'temp' | 'power';

/**
 * The primary reading per device and kind: the first ok one in source order, else the first
 * one offered (unavailable, with its reason).
 */
export function primaries(readings: readonly Reading[]): Map<string, Partial<Record<PrimaryKind, Reading>>> {
  const out = new Map<string, Partial<Record<PrimaryKind, Reading>>>();
  for (const r of readings) {
    if (!r.primary || (r.kind !== 'util' && r.kind !== 'temp' && r.kind !== 'power')) continue;
    let d = out.get(r.device);
    if (!d) out.set(r.device, (d = {}));
    const have = d[r.kind];
    if (!have || (have.status !== 'ok' && r.status === 'ok')) d[r.kind] = r;
  }
  return out;
}
