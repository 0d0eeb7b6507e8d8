/**
 * CPU energy and power from RAPL via powercap (Intel, and AMD Zen through the same driver):
 * `class/powercap/intel-rapl:<N>` package zones and their `intel-rapl:<N>:<M>` sub-zones (core,
 * uncore, dram). energy_uj is a wrapping µJ counter; power is Δenergy/Δt between two reads.
 */
import path from 'node:path';
import {
  readerOf, idPart, listNumbered, notRead, readInt, readText, type IntResult, type ReadFailure, type SourceOptions,
} from './fs-read.js';
import { ok, unavailable, type Reading, type SensorContext, type SensorSource } from './types.js';

const UJ_PER_J = 1e6;
const FIRST = 'needs two energy readings (first sample)';
const denied = (file: string) =>
  `permission denied reading ${file} (energy_uj is root-only since Linux 5.10; run as root or grant read access)`;

interface Zone {
  readonly key: string;
  readonly dir: string;
  readonly file: string;
  /** max_energy_range_uj: the counter wraps to 0 past it; null if unreadable. */
  readonly maxUj: number | null;
  /** A package zone, summed into cpu.power (psys is top-level too but covers the whole platform). */
  readonly pkg: boolean;
  lastUj: number | null;
  lastMs: number;
  /** µJ since the first read. */
  sumUj: number;
}

/** µJ consumed between two counter values; a counter that went backwards wrapped once. */
export function energyDelta(prevUj: number, curUj: number, maxUj: number | null): number {
  if (curUj >= prevUj) return curUj - prevUj;
  return maxUj === null ? 0 : curUj + maxUj - prevUj;
}

/**
 * The sum over package zones, or the first package's failure: a partial sum would understate
 * the CPU.
 */
function sum(base: Omit<Reading, 'status' | 'value' | 'reason'>, parts: readonly Reading[]): Reading {
  const bad = parts.find((r) => r.status !== 'ok');
  if (bad) return { ...base, status: bad.status, value: null, reason: bad.reason };
  return ok(base, parts.reduce((s, r) => s + (r.value ?? 0), 0));
}

export function createRapl(ctx: SensorContext, opts: SourceOptions = {}): SensorSource {
  const dir = path.join(ctx.sysfsRoot, 'class', 'powercap');
  const readFile = readerOf(ctx, opts);
  let zones: Zone[] | null = null;

  async function probe(): Promise<void> {
    const entries = await listNumbered(dir, /intel-rapl:(\d+)(?::(\d+))?/);
    const named = await Promise.all(
      entries.map(async (e) => {
        const r = await readText(path.join(e.path, 'name'), readFile);
        return { ...e, zone: r.ok ? r.text.trim() : e.name };
      }),
    );
    const parent = (n: number) => named.find((e) => e.n.length === 1 && e.n[0] === n)?.zone ?? `intel-rapl:${n}`;
    const dupes = (zone: string) => named.filter((e) => e.n.length === 2 && e.zone === zone).length > 1;
    zones = [];
    for (const e of named) {
      const sub = e.n.length === 2;
      // A second socket has its own dram sub-zone: qualify by package so ids stay unique.
      const key = sub && dupes(e.zone) ? `${idPart(parent(e.n[0] ?? 0))}.${idPart(e.zone)}` : idPart(e.zone);
      const max = await readInt(path.join(e.path, 'max_energy_range_uj'), readFile);
      zones.push({ key, dir: e.name, file: path.join(e.path, 'energy_uj'), maxUj: max.ok ? max.value : null,
        pkg: !sub && e.zone.startsWith('package'), lastUj: null, lastMs: 0, sumUj: 0 });
    }
  }

  const reasonOf = (z: Zone, r: ReadFailure) => (r.denied ? denied(z.file) : r.reason);

  /** The zone's power and energy readings; advances its counter. */
  function zoneReadings(z: Zone, r: IntResult, nowMs: number): [power: Reading, energy: Reading] {
    const power = { id: `rapl.${z.key}.power`, device: 'cpu', kind: 'power' as const, unit: 'W', source: z.file, detail: z.dir };
    const energy = { ...power, id: `rapl.${z.key}.energy`, kind: 'energy' as const, unit: 'J' };
    if (!r.ok) return [notRead(power, r, reasonOf(z, r)), notRead(energy, r, reasonOf(z, r))];
    const prevUj = z.lastUj;
    const dtS = (nowMs - z.lastMs) / 1000;
    z.lastUj = r.value;
    z.lastMs = nowMs;
    if (prevUj === null) return [unavailable(power, FIRST), ok(energy, 0)];
    const d = energyDelta(prevUj, r.value, z.maxUj);
    z.sumUj += d;
    const w = dtS > 0 ? ok(power, d / UJ_PER_J / dtS) : unavailable(power, 'no time elapsed since the previous reading');
    return [w, ok(energy, z.sumUj / UJ_PER_J)];
  }

  async function read(): Promise<Reading[]> {
    if (zones === null) await probe();
    const list = zones ?? [];
    const pkgs = list.filter((z) => z.pkg);
    const source = pkgs.map((z) => z.file).join(' + ') || dir;
    const cpuPower = { id: 'cpu.power', device: 'cpu', kind: 'power' as const, unit: 'W', source, primary: true };
    const cpuEnergy = { id: 'cpu.energy', device: 'cpu', kind: 'energy' as const, unit: 'J', source };
    if (pkgs.length === 0) {
      const why = list.length === 0 ? `no RAPL zones in ${dir}` : `no RAPL package zone in ${dir}`;
      return [unavailable(cpuPower, why), unavailable(cpuEnergy, why)];
    }
    const nowMs = ctx.now();
    const results = await Promise.all(list.map((z) => readInt(z.file, readFile)));
    const perZone = list.map((z, i) => zoneReadings(z, results[i]!, nowMs));
    const ofPkgs = (k: 0 | 1) => perZone.filter((_, i) => list[i]!.pkg).map((rs) => rs[k]);
    return [sum(cpuPower, ofPkgs(0)), sum(cpuEnergy, ofPkgs(1)), ...perZone.flat()];
  }

  return { name: 'rapl', probe, read, close: () => Promise.resolve() };
}
