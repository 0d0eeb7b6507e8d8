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
 * A parked source is read again only this often, ms. A source is parked when every reading it
 * gave was 'unavailable' (no such hardware, permission denied: absent sensors rarely appear,
 * and re-checking them ten times a second was most of an idle probe's cost), or when nobody
 * uses any of its readings (see SensorSet.useOnly).
 */
const RECHECK_MS = 30_000;

const TIMED_OUT = Symbol('timed out');
const NOTHING = (): void => undefined;

/** The health of a read that returned: down with the first failed reading's reason, if any. */
function healthOf(name: string, readings: readonly Reading[], durationMs: number): SourceHealth {
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i]!;
    if (r.status === 'error') return { name, up: false, durationMs, error: `${r.id}: ${r.reason ?? 'error'}` };
  }
  return { name, up: true, durationMs, error: null };
}

/** Some readings, all of them unavailable (absent hardware, permission denied). */
function allUnavailable(readings: readonly Reading[]): boolean {
  for (let i = 0; i < readings.length; i++) if (readings[i]!.status !== 'unavailable') return false;
  return readings.length > 0;
}

/** Some readings, none of them used nor failed. */
function noneUsed(readings: readonly Reading[], used: (r: Reading) => boolean): boolean {
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i]!;
    if (r.status === 'error' || used(r)) return false;
  }
  return readings.length > 0;
}

interface SourceRead {
  readonly readings: Reading[];
  readonly health: SourceHealth;
}

/** One source's standing in the set. */
class SourceState {
  /** Session time until which the source stays parked (ms on the set's clock), and what it gave last. */
  parkedUntil = -Infinity;
  parked: SourceRead;
  /** What the source gave in the read under way (or its parked readings). */
  current: SourceRead;
  /** A parked source's health: up (neither absent nor unused hardware is a failure). */
  readonly idle: SourceHealth;
  /** Consecutive all-unavailable reads (a first delta read is unavailable once). */
  absentStreak = 0;
  readonly record: { up: boolean; failures: number; last_error: string | null } = { up: true, failures: 0, last_error: null };

  constructor(readonly source: SensorSource) {
    this.idle = { name: source.name, up: true, durationMs: 0, error: null };
    this.parked = this.current = { readings: [], health: this.idle };
  }
}

export class SensorSet {
  private readonly states: readonly SourceState[];
  private used: ((r: Reading) => boolean) | null = null;

  private constructor(
    readonly sources: readonly SensorSource[],
    private readonly now: () => number,
    /** The set's own kept-open file handles, closed with it (null when the caller brought a reader). */
    private readonly files: FileHandleCache | null,
  ) {
    this.states = sources.map((s) => new SourceState(s));
  }

  /** Creates and probes every enabled source, concurrently. */
  static async open(ctx: SensorContext, disabled: readonly string[] = []): Promise<SensorSet> {
    const files = ctx.readFile ? null : new FileHandleCache(path.join(ctx.procfsRoot, '/'));
    const c: SensorContext = files ? { ...ctx, readFile: (p) => files.read(p), readBytes: (p) => files.readBytes(p) } : ctx;
    const sources = SOURCES.filter((s) => !disabled.includes(s.name)).map((s) => s.create(c));
    await Promise.all(sources.map((s) => s.probe().catch(() => undefined)));
    return new SensorSet(sources, ctx.now, files);
  }

  /**
   * Which readings anyone uses (the sampler: those of the devices it samples). A source none
   * of whose readings is used, and none failed, is parked like an absent one: /proc/meminfo's
   * readings belong to no sampled device, and reading and parsing them every tick was work for
   * nobody. Its health and its readings stay those of its last read.
   */
  useOnly(used: (r: Reading) => boolean): void {
    this.used = used;
  }

  /**
   * Reads every source concurrently; a slow or failing source never stops the others. One
   * deadline serves all sources, and its timer is armed only when a read has to wait: when one
   * of the set's files goes to the thread pool (sysfs), or always with a reader of the caller's.
   * procfs reads, parked sources and nvidia-smi's latest line never wait, and a timer armed and
   * cleared every tick still woke the process when it was due (clearTimeout drops Node's timer,
   * not libuv's): one wake-up per tick for nothing. Reads of one set do not overlap (the ticker
   * never runs two ticks at once).
   */
  async read(timeoutMs: number): Promise<ReadResult> {
    const t0 = this.now();
    let timer: NodeJS.Timeout | undefined;
    let expire!: () => void;
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => (expire = () => resolve(TIMED_OUT)));
    const arm = (): void => {
      if (timer) return;
      timer = setTimeout(expire, Math.max(0, timeoutMs - (this.now() - t0)));
      timer.unref();
    };
    if (this.files) this.files.onWait = arm;
    else arm();
    try {
      // Indexed loops throughout: see "The tick's path" in ../sampler/sampler.ts.
      const states = this.states;
      const pending: Promise<void>[] = [];
      for (let i = 0; i < states.length; i++) {
        const st = states[i]!;
        if (t0 < st.parkedUntil) st.current = st.parked;
        else pending.push(this.readOne(st, deadline, timeoutMs));
      }
      await Promise.all(pending);
      const readings: Reading[] = [];
      const health: SourceHealth[] = new Array<SourceHealth>(states.length);
      for (let i = 0; i < states.length; i++) {
        const r = states[i]!.current;
        const rs = r.readings;
        for (let x = 0; x < rs.length; x++) readings.push(rs[x]!);
        health[i] = r.health;
      }
      return { readings, health };
    } finally {
      clearTimeout(timer);
      if (this.files) this.files.onWait = NOTHING;
    }
  }

  private note(st: SourceState, h: SourceHealth): void {
    const rec = st.record;
    rec.up = h.up;
    if (!h.up) {
      rec.failures++;
      rec.last_error = h.error;
    }
  }

  /** Each source's state now and its failures so far. */
  health(): SourceRecord[] {
    return this.states.map((st) => ({ name: st.source.name, ...st.record }));
  }

  /** Reads one source into st.current, parks it when it is absent or unused, notes its health. */
  private async readOne(st: SourceState, deadline: Promise<typeof TIMED_OUT>, timeoutMs: number): Promise<void> {
    const s = st.source;
    const t0 = this.now();
    let out: SourceRead;
    try {
      const readings = await Promise.race([s.read(), deadline]);
      if (readings === TIMED_OUT) throw new Error(`timed out after ${timeoutMs} ms`);
      out = { readings, health: healthOf(s.name, readings, this.now() - t0) };
      st.absentStreak = allUnavailable(readings) ? st.absentStreak + 1 : 0;
      if (st.absentStreak >= 2 || (this.used !== null && noneUsed(readings, this.used))) {
        st.parkedUntil = t0 + RECHECK_MS;
        st.parked = { readings, health: st.idle };
      } else st.parkedUntil = -Infinity;
    } catch (e) {
      out = { readings: [], health: { name: s.name, up: false, durationMs: this.now() - t0, error: (e as Error).message } };
      st.absentStreak = 0;
      st.parkedUntil = -Infinity;
    }
    this.note(st, out.health);
    st.current = out;
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
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i]!;
    if (!r.primary || (r.kind !== 'util' && r.kind !== 'temp' && r.kind !== 'power')) continue;
    let d = out.get(r.device);
    if (!d) out.set(r.device, (d = {}));
    const have = d[r.kind];
    if (!have || (have.status !== 'ok' && r.status === 'ok')) d[r.kind] = r;
  }
  return out;
}
