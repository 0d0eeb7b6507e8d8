/**
 * Core clocks from cpufreq: `devices/system/cpu/cpu<N>/cpufreq/scaling_cur_freq` (kHz) per core
 * as `cpu.core<N>.freq`, and their mean as `cpu.freq`, in MHz. With `cpuinfo_max_freq` (the
 * hardware's maximum, read once) also `cpu.freq_max` and `cpu.clock_ratio` = mean current /
 * mean maximum, the throttle detector's clock evidence. The hardware maximum, not
 * scaling_max_freq: a thermal daemon lowers scaling_max_freq when hot, which would hide the
 * very slowdown we look for. The ratio is derived from two measurements.
 */
import path from 'node:path';
import { readerOf, listNumbered, notRead, readInt, type IntResult, type SourceOptions } from './fs-read.js';
import { ok, unavailable, type Reading, type SensorContext, type SensorSource } from './types.js';

interface Core {
  readonly n: number;
  readonly file: string;
  /** cpuinfo_max_freq, kHz; null when unreadable. */
  readonly maxKhz: number | null;
}

export function createCpufreq(ctx: SensorContext, opts: SourceOptions = {}): SensorSource {
  const dir = path.join(ctx.sysfsRoot, 'devices', 'system', 'cpu');
  const readFile = readerOf(ctx, opts);
  let cores: Core[] | null = null;

  const mean = { id: 'cpu.freq', device: 'cpu', kind: 'freq' as const, unit: 'MHz', source: dir };
  const maxBase = { id: 'cpu.freq_max', device: 'cpu', kind: 'freq' as const, unit: 'MHz', source: path.join(dir, 'cpu*', 'cpufreq', 'cpuinfo_max_freq') };
  const ratioBase = { id: 'cpu.clock_ratio', device: 'cpu', kind: 'ratio' as const, unit: '', source: dir, provenance: 'derived' as const, detail: 'derived: mean scaling_cur_freq / mean cpuinfo_max_freq' };
  const perCore = (c: Core) => ({ id: `cpu.core${c.n}.freq`, device: 'cpu', kind: 'freq' as const, unit: 'MHz', source: c.file });

  async function probe(): Promise<void> {
    const found: Core[] = [];
    for (const e of await listNumbered(dir, /cpu(\d+)/)) {
      const file = path.join(e.path, 'cpufreq', 'scaling_cur_freq');
      const r = await readInt(file, readFile);
      // A core absent now may be offline or lack a driver; present-but-broken still counts.
      if (!r.ok && r.absent) continue;
      const max = await readInt(path.join(e.path, 'cpufreq', 'cpuinfo_max_freq'), readFile);
      found.push({ n: e.n[0] ?? 0, file, maxKhz: max.ok && max.value > 0 ? max.value : null });
    }
    cores = found;
  }

  async function read(): Promise<Reading[]> {
    if (cores === null) await probe();
    const list = cores ?? [];
    if (list.length === 0) return [unavailable(mean, `no cpufreq in ${dir}`)];
    const results: IntResult[] = await Promise.all(list.map((c) => readInt(c.file, readFile)));
    const out: Reading[] = [];
    let cur = 0, max = 0, withMax = 0, n = 0;
    for (const [i, r] of results.entries()) {
      const c = list[i]!;
      if (!r.ok) {
        out.push(notRead(perCore(c), r));
        continue;
      }
      n++;
      cur += r.value / 1000;
      if (c.maxKhz !== null) {
        withMax++;
        max += c.maxKhz / 1000;
      }
      out.push(ok(perCore(c), r.value / 1000));
    }
    const head = n > 0 ? ok(mean, cur / n) : unavailable(mean, `no core frequency readable in ${dir}`);
    const noMax = `no cpuinfo_max_freq in ${dir}`;
    const maxR = withMax > 0 ? ok(maxBase, max / withMax) : unavailable(maxBase, noMax);
    // Only when every read core has its maximum: a partial sum would skew the ratio.
    const ratio = n > 0 && withMax === n ? ok(ratioBase, cur / max) : unavailable(ratioBase, n > 0 ? noMax : head.reason ?? noMax);
    return [head, maxR, ratio, ...out];
  }

  return { name: 'cpufreq', probe, read, close: () => Promise.resolve() };
}
