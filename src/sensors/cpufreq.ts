/**
 * Core clocks from cpufreq: `devices/system/cpu/cpu<N>/cpufreq/scaling_cur_freq` (kHz) per core
 * as `cpu.core<N>.freq`, and their mean as `cpu.freq`, in MHz.
 */
import path from 'node:path';
import { readerOf, listNumbered, notRead, readInt, type IntResult, type SourceOptions } from './fs-read.js';
import { ok, unavailable, type Reading, type SensorContext, type SensorSource } from './types.js';

interface Core {
  readonly n: number;
  readonly file: string;
}

export function createCpufreq(ctx: SensorContext, opts: SourceOptions = {}): SensorSource {
  const dir = path.join(ctx.sysfsRoot, 'devices', 'system', 'cpu');
  const readFile = readerOf(ctx, opts);
  let cores: Core[] | null = null;

  const mean = { id: 'cpu.freq', device: 'cpu', kind: 'freq' as const, unit: 'MHz', source: dir };
  const perCore = (c: Core) => ({ id: `cpu.core${c.n}.freq`, device: 'cpu', kind: 'freq' as const, unit: 'MHz', source: c.file });

  async function probe(): Promise<void> {
    const found: Core[] = [];
    for (const e of await listNumbered(dir, /cpu(\d+)/)) {
      const file = path.join(e.path, 'cpufreq', 'scaling_cur_freq');
      const r = await readInt(file, readFile);
      // A core absent now may be offline or lack a driver; present-but-broken still counts.
      if (r.ok || !r.absent) found.push({ n: e.n[0] ?? 0, file });
    }
    cores = found;
  }

  async function read(): Promise<Reading[]> {
    if (cores === null) await probe();
    const list = cores ?? [];
    if (list.length === 0) return [unavailable(mean, `no cpufreq in ${dir}`)];
    const results: IntResult[] = await Promise.all(list.map((c) => readInt(c.file, readFile)));
    const out: Reading[] = [];
    const mhz: number[] = [];
    for (const [i, r] of results.entries()) {
      const b = perCore(list[i]!);
      if (!r.ok) {
        out.push(notRead(b, r));
        continue;
      }
      mhz.push(r.value / 1000);
      out.push(ok(b, r.value / 1000));
    }
    const total = mhz.reduce((s, v) => s + v, 0);
    const head = mhz.length > 0 ? ok(mean, total / mhz.length) : unavailable(mean, `no core frequency readable in ${dir}`);
    return [head, ...out];
  }

  return { name: 'cpufreq', probe, read, close: () => Promise.resolve() };
}
