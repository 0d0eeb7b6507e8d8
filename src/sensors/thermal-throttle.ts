/**
 * Intel's thermal throttle counters: `devices/system/cpu/cpu<N>/thermal_throttle/` holds per
 * core `core_throttle_count` and `core_throttle_total_time_ms`, per package (repeated on each of
 * its CPUs) `package_throttle_count`, `package_throttle_total_time_ms`, and on many parts the
 * `*_power_limit_count` pair. Each is cumulative since boot. The readings are their sums over
 * CPUs — a sum only ever advances while something throttles, which is what the detector asks
 * (src/analysis/throttle/counters.ts). Absent on AMD and in VMs: unavailable, not an error.
 */
import path from 'node:path';
import { listNumbered, notRead, readInt, readerOf, type IntResult, type SourceOptions } from './fs-read.js';
import { ok, unavailable, type Reading, type SensorContext, type SensorSource } from './types.js';

/** Reading id → the files summed into it. */
const COUNTERS = {
  'cpu.thermal_throttle_count': ['core_throttle_count', 'package_throttle_count'],
  'cpu.throttle_time_ms': ['core_throttle_total_time_ms', 'package_throttle_total_time_ms'],
  'cpu.power_limit_count': ['core_power_limit_count', 'package_power_limit_count'],
} as const;
type Id = keyof typeof COUNTERS;

export function createThermalThrottle(ctx: SensorContext, opts: SourceOptions = {}): SensorSource {
  const dir = path.join(ctx.sysfsRoot, 'devices', 'system', 'cpu');
  const readFile = readerOf(ctx, opts);
  /** Per reading, the files that exist (found at probe). */
  let files: Map<Id, string[]> | null = null;

  const base = (id: Id) => ({ id, device: 'cpu', kind: 'throttle' as const, unit: id === 'cpu.throttle_time_ms' ? 'ms' : 'events', source: path.join(dir, 'cpu*', 'thermal_throttle') });

  async function probe(): Promise<void> {
    const found = new Map<Id, string[]>();
    for (const e of await listNumbered(dir, /cpu(\d+)/)) {
      for (const [id, names] of Object.entries(COUNTERS) as [Id, readonly string[]][]) {
        for (const n of names) {
          const f = path.join(e.path, 'thermal_throttle', n);
          const r = await readInt(f, readFile);
          if (r.ok || !r.absent) found.set(id, [...(found.get(id) ?? []), f]);
        }
      }
    }
    files = found;
  }

  async function read(): Promise<Reading[]> {
    if (files === null) await probe();
    const out: Reading[] = [];
    for (const id of Object.keys(COUNTERS) as Id[]) {
      const list = files!.get(id) ?? [];
      if (list.length === 0) {
        out.push(unavailable(base(id), `no thermal_throttle counters in ${dir} (Intel CPUs only; not in most VMs)`));
        continue;
      }
      const results: IntResult[] = await Promise.all(list.map((f) => readInt(f, readFile)));
      const bad = results.find((r) => !r.ok);
      out.push(bad && !bad.ok ? notRead(base(id), bad) : ok(base(id), results.reduce((s, r) => s + (r.ok ? r.value : 0), 0)));
    }
    return out;
  }

  return { name: 'thermal-throttle', probe, read, close: () => Promise.resolve() };
}
