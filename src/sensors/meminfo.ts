/**
 * Memory from /proc/meminfo: MemTotal and MemAvailable (kB → bytes). Used is total − available,
 * the kernel's own estimate of what could be handed out without swapping.
 */
import path from 'node:path';
import { readerOf, notRead, readText, type SourceOptions } from './fs-read.js';
import { failed, ok, unavailable, type Reading, type SensorContext, type SensorSource } from './types.js';

/** kB in /proc/meminfo are KiB. */
const KIB = 1024;

/** Field name → bytes, for the `Name:   123 kB` lines. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]) * KIB);
  }
  return out;
}

export function createMeminfo(ctx: SensorContext, opts: SourceOptions = {}): SensorSource {
  const file = path.join(ctx.procfsRoot, 'meminfo');
  const readFile = readerOf(ctx, opts);
  const total = { id: 'mem.total', device: 'mem', kind: 'mem' as const, unit: 'bytes', source: file };
  const used = { id: 'mem.used', device: 'mem', kind: 'mem' as const, unit: 'bytes', source: file };
  const util = { id: 'mem.util', device: 'mem', kind: 'util' as const, unit: '%', source: file };

  async function read(): Promise<Reading[]> {
    const r = await readText(file, readFile);
    if (!r.ok) return [total, used, util].map((b) => notRead(b, r));
    const info = parseMeminfo(r.text);
    const t = info.get('MemTotal');
    const avail = info.get('MemAvailable');
    if (t === undefined || t <= 0) return [total, used, util].map((b) => failed(b, `no MemTotal in ${file}`));
    if (avail === undefined) {
      // MemAvailable appeared in Linux 3.14; guessing it from MemFree would overstate use.
      const why = `no MemAvailable in ${file} (Linux before 3.14)`;
      return [ok(total, t), unavailable(used, why), unavailable(util, why)];
    }
    return [ok(total, t), ok(used, t - avail), ok(util, (100 * (t - avail)) / t)];
  }

  return { name: 'meminfo', probe: () => Promise.resolve(), read, close: () => Promise.resolve() };
}
