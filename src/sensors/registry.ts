/**
 * The one list of sensor sources, in priority order: when two sources offer the primary
 * reading of a device (hwmon and a thermal zone both for cpu.temp), the first one that is ok
 * wins. The list also drives `rle sensors` and `--disable-sensor`.
 */
import path from 'node:path';
import { createCpufreq } from './cpufreq.js';
import { FileHandleCache } from './file-handles.js';
import { createHwmon } from './hwmon.js';
import { createMeminfo } from './meminfo.js';
import { createNvidiaSmi } from './nvidia-smi.js';
import { createProcStat } from './proc-stat.js';
import { createRapl } from './rapl.js';
import { createThermalThrottle } from './thermal-throttle.js';
import { createThermalZone } from './thermal-zone.js';
import type { Reading, SensorContext, SensorFactory, SensorSource } from './types.js';

export const SOURCES: readonly { readonly name: string; readonly create: SensorFactory; readonly what: string }[] = [
  { name: 'proc-stat', create: createProcStat, what: 'CPU utilization from /proc/stat' },
  { name: 'hwmon', create: createHwmon, what: 'temperatures from hwmon (CPU package and others)' },
  { name: 'thermal-zone', create: createThermalZone, what: 'temperatures from thermal zones' },
  { name: 'rapl', create: createRapl, what: 'CPU energy and power from RAPL counters' },
  { name: 'cpufreq', create: createCpufreq, what: 'CPU frequency (and its ratio to the hardware maximum) from cpufreq' },
  { name: 'thermal-throttle', create: createThermalThrottle, what: 'Intel thermal and power-limit throttle counters' },
  { name: 'meminfo', create: createMeminfo, what: 'memory from /proc/meminfo' },
  { name: 'nvidia-smi', create: createNvidiaSmi, what: 'NVIDIA GPUs from one streaming nvidia-smi' },
];

export const SOURCE_NAMES = SOURCES.map((s) => s.name);

/**
 * Per-source health of the last read (node_exporter's scrape success and duration). A source
 * is down when its read threw or timed out, or when any of its readings failed (a dead
 * nvidia-smi child, EIO from a sysfs file); absent hardware is not down.
 */
export interface SourceHealth {
  readonly name: string;
  readonly up: boolean;
  readonly durationMs: number;
  readonly error: string | null;
}

/** Per source over a whole session: for the manifest and `rle sensors`. */
export interface SourceRecord {
  readonly name: string;
  readonly up: boolean;
  /** Reads that found the source down. */
  readonly failures: number;
  readonly last_error: string | null;
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
const NEXT_TURN = Symbol('next turn');

/** Resolves in the check phase of this turn of the event loop, after every microtask. */
function nextTurn(): Promise<typeof NEXT_TURN> {
  return new Promise((resolve) => setImmediate(resolve, NEXT_TURN));
}

/** The health of a read that returned: down with the first failed reading's reason, if any. */
function healthOf(name: string, readings: readonly Reading[], durationMs: number): SourceHealth {
  const bad = readings.find((r) => r.status === 'error');
  return { name, up: !bad, durationMs, error: bad ? `${bad.id}: ${bad.reason ?? 'error'}` : null };
}

export class SensorSet {
  private readonly absentUntil = new Map<SensorSource, { until: number; readings: Reading[] }>();
  /** Consecutive all-unavailable reads per source (a first delta read is unavailable once). */
  private readonly absentStreak = new Map<SensorSource, number>();
  private readonly records = new Map<string, { up: boolean; failures: number; last_error: string | null }>();

  private constructor(
    readonly sources: readonly SensorSource[],
    private readonly now: () => number,
    /** The set's own kept-open file handles, closed with it (null when the caller brought a reader). */
    private readonly files: FileHandleCache | null,
  ) {
    for (const s of sources) this.records.set(s.name, { up: true, failures: 0, last_error: null });
  }

  /** Creates and probes every enabled source, concurrently. */
  static async open(ctx: SensorContext, disabled: readonly string[] = []): Promise<SensorSet> {
    const files = ctx.readFile ? null : new FileHandleCache(path.join(ctx.procfsRoot, '/'));
    const c: SensorContext = files ? { ...ctx, readFile: (p) => files.read(p) } : ctx;
    const sources = SOURCES.filter((s) => !disabled.includes(s.name)).map((s) => s.create(c));
    await Promise.all(sources.map((s) => s.probe().catch(() => undefined)));
    return new SensorSet(sources, ctx.now, files);
  }

  /**
   * Reads every source concurrently; a slow or failing source never stops the others. One
   * deadline serves all sources, and its timer is armed only when a read is still pending
   * after this turn of the event loop: procfs reads, parked sources and nvidia-smi's latest
   * line have settled by then. A timer armed and cleared every tick would still wake the
   * process when it was due (clearTimeout drops Node's timer, not libuv's), one wake-up per
   * tick for nothing.
   */
  async read(timeoutMs: number): Promise<ReadResult> {
    const t0 = this.now();
    let expire!: () => void;
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => (expire = () => resolve(TIMED_OUT)));
    const all = Promise.all(this.sources.map((s) => this.readOne(s, deadline, timeoutMs)));
    let timer: NodeJS.Timeout | undefined;
    if ((await Promise.race([all, nextTurn()])) === NEXT_TURN) {
      timer = setTimeout(expire, Math.max(0, timeoutMs - (this.now() - t0)));
      timer.unref();
    }
    try {
      const results = await all;
      for (const r of results) this.note(r.health);
      return { readings: results.flatMap((r) => r.readings), health: results.map((r) => r.health) };
    } finally {
      clearTimeout(timer);
    }
  }

  private note(h: SourceHealth): void {
    const rec = this.records.get(h.name)!;
    rec.up = h.up;
    if (!h.up) {
      rec.failures++;
      rec.last_error = h.error;
    }
  }

  /** Each source's state now and its failures so far. */
  health(): SourceRecord[] {
    return [...this.records].map(([name, r]) => ({ name, ...r }));
  }

  private async readOne(s: SensorSource, deadline: Promise<typeof TIMED_OUT>, timeoutMs: number): Promise<{ readings: Reading[]; health: SourceHealth }> {
    const t0 = this.now();
    const cached = this.absentUntil.get(s);
    if (cached && t0 < cached.until) return { readings: cached.readings, health: { name: s.name, up: true, durationMs: 0, error: null } };
    try {
      const readings = await Promise.race([s.read(), deadline]);
      if (readings === TIMED_OUT) throw new Error(`timed out after ${timeoutMs} ms`);
      const absent = readings.length > 0 && readings.every((r) => r.status === 'unavailable');
      const streak = absent ? (this.absentStreak.get(s) ?? 0) + 1 : 0;
      this.absentStreak.set(s, streak);
      if (streak >= 2) this.absentUntil.set(s, { until: t0 + ABSENT_RECHECK_MS, readings });
      else this.absentUntil.delete(s);
      return { readings, health: healthOf(s.name, readings, this.now() - t0) };
    } catch (e) {
      return { readings: [], health: { name: s.name, up: false, durationMs: this.now() - t0, error: (e as Error).message } };
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.close().catch(() => undefined)));
    await this.files?.closeAll();
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
