/**
 * Temperatures from thermal zones: `class/thermal/thermal_zone<N>/{type,temp}` (millidegrees →
 * °C) as `thermal.<type>.zone<N>`. A CPU zone also feeds `cpu.temp`, a fallback for machines
 * whose hwmon has no CPU chip (many laptops, ARM boards).
 */
import path from 'node:path';
import { readerOf, idPart, listNumbered, notRead, readInt, readText, type SourceOptions } from './fs-read.js';
import { ok, unavailable, type Reading, type SensorContext, type SensorSource } from './types.js';

interface Zone {
  readonly n: number;
  readonly type: string;
  readonly file: string;
}

/** Zone types that measure the CPU package, best first; ARM SoCs also name them cpu<N>-thermal. */
const CPU_TYPES = ['x86_pkg_temp', 'cpu-thermal', 'cpu_thermal', 'soc_thermal', 'soc-thermal', 'k10temp', 'coretemp'];
const CPU_PATTERN = /^cpu\d*[-_]thermal$/;

function cpuRank(type: string): number {
  const i = CPU_TYPES.indexOf(type);
  return i >= 0 ? i : CPU_PATTERN.test(type) ? CPU_TYPES.length : -1;
}

export function createThermalZone(ctx: SensorContext, opts: SourceOptions = {}): SensorSource {
  const dir = path.join(ctx.sysfsRoot, 'class', 'thermal');
  const readFile = readerOf(ctx, opts);
  let zones: Zone[] | null = null;
  let cpuZone: Zone | undefined;

  async function probe(): Promise<void> {
    const found: Zone[] = [];
    for (const e of await listNumbered(dir, /thermal_zone(\d+)/)) {
      const type = await readText(path.join(e.path, 'type'), readFile);
      found.push({ n: e.n[0] ?? 0, type: type.ok ? type.text.trim() : 'unknown', file: path.join(e.path, 'temp') });
    }
    zones = found;
    // Lowest rank wins, then the lowest zone number (the list is sorted by it).
    cpuZone = found.filter((z) => cpuRank(z.type) >= 0).sort((a, b) => cpuRank(a.type) - cpuRank(b.type))[0];
  }

  function noCpuZone(list: readonly Zone[]): string {
    if (list.length === 0) return `no thermal zones in ${dir}`;
    return `no CPU thermal zone among types: ${[...new Set(list.map((z) => z.type))].join(', ')}`;
  }

  async function read(): Promise<Reading[]> {
    if (zones === null) await probe();
    const list = zones ?? [];
    const results = await Promise.all(list.map((z) => readInt(z.file, readFile)));
    const extras: Reading[] = [];
    let head: Reading = unavailable({ id: 'cpu.temp', device: 'cpu', kind: 'temp', unit: '°C', source: dir, primary: true }, noCpuZone(list));
    for (const [i, r] of results.entries()) {
      const z = list[i]!;
      const device = cpuRank(z.type) >= 0 ? 'cpu' : idPart(z.type);
      const b = { id: `thermal.${idPart(z.type)}.zone${z.n}`, device, kind: 'temp' as const, unit: '°C', source: z.file, detail: z.type };
      extras.push(r.ok ? ok(b, r.value / 1000) : notRead(b, r));
      if (z !== cpuZone) continue;
      const main = { ...b, id: 'cpu.temp', primary: true };
      head = r.ok ? ok(main, r.value / 1000) : notRead(main, r);
    }
    return [head, ...extras];
  }

  return { name: 'thermal-zone', probe, read, close: () => Promise.resolve() };
}
