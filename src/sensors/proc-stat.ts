/**
 * CPU utilisation from /proc/stat: the share of clock ticks (USER_HZ) not spent idle or in
 * iowait between two consecutive reads, for the machine (`cpu.util`) and per core
 * (`cpu.core<N>.util`). A point sample means nothing here, so the first read is unavailable.
 */
import path from 'node:path';
import { readerOf, notRead, readText, type SourceOptions } from './fs-read.js';
import { failed, ok, unavailable, type Reading, type SensorContext, type SensorSource } from './types.js';

/**
 * Columns summed into the total: user nice system idle iowait irq softirq steal. guest and
 * guest_nice (9, 10) are already counted inside user and nice, so adding them would count twice.
 */
const COLUMNS = 8;
const IDLE = 3;
const IOWAIT = 4;
const FIRST = 'needs two readings (first sample)';

/** `cpu` (all cores) or `cpu<N>` → tick counters. */
export type StatSnapshot = Map<string, number[]>;

export function parseStat(text: string): StatSnapshot {
  const snap: StatSnapshot = new Map();
  for (const line of text.split('\n')) {
    const m = /^(cpu\d*)\s+(\d+(?:\s+\d+)*)\s*$/.exec(line);
    if (m) snap.set(m[1]!, m[2]!.split(/\s+/).slice(0, COLUMNS).map(Number));
  }
  return snap;
}

/**
 * Busy share in % between two snapshots of one cpu line, or null when no tick elapsed. A column
 * that went backwards (iowait can, on NO_HZ kernels; so can the sum when a core goes offline on
 * old kernels) counts as no change for this interval.
 */
export function utilization(prev: readonly number[], cur: readonly number[]): number | null {
  let total = 0;
  let idle = 0;
  for (let i = 0; i < COLUMNS; i++) {
    const d = Math.max(0, (cur[i] ?? 0) - (prev[i] ?? 0));
    total += d;
    if (i === IDLE || i === IOWAIT) idle += d;
  }
  return total > 0 ? (100 * (total - idle)) / total : null;
}

export function createProcStat(ctx: SensorContext, opts: SourceOptions = {}): SensorSource {
  const file = path.join(ctx.procfsRoot, 'stat');
  const readFile = readerOf(ctx, opts);
  /** Every core seen so far: a core that goes offline keeps its id, reported unavailable. */
  const cores = new Set<number>();
  let prev: StatSnapshot | null = null;
  let probed = false;

  const base = (key: string) =>
    key === 'cpu'
      ? { id: 'cpu.util', device: 'cpu', kind: 'util' as const, unit: '%', source: file, primary: true }
      : { id: `cpu.core${key.slice(3)}.util`, device: 'cpu', kind: 'util' as const, unit: '%', source: file };
  const keys = () => ['cpu', ...[...cores].sort((a, b) => a - b).map((n) => `cpu${n}`)];
  const remember = (snap: StatSnapshot) => {
    for (const k of snap.keys()) if (k !== 'cpu') cores.add(Number(k.slice(3)));
  };

  async function probe(): Promise<void> {
    probed = true;
    const r = await readText(file, readFile);
    if (r.ok) remember(parseStat(r.text));
  }

  async function read(): Promise<Reading[]> {
    if (!probed) await probe();
    const r = await readText(file, readFile);
    if (!r.ok) {
      prev = null;
      return keys().map((k) => notRead(base(k), r));
    }
    const cur = parseStat(r.text);
    if (!cur.has('cpu')) return keys().map((k) => failed(base(k), `no "cpu" line in ${file}`));
    remember(cur);
    const last = prev;
    prev = cur;
    return keys().map((k) => {
      const c = cur.get(k);
      const p = last?.get(k);
      if (!c) return unavailable(base(k), `${k} not listed in ${file} (offline)`);
      if (!p) return unavailable(base(k), FIRST);
      const u = utilization(p, c);
      return u === null ? unavailable(base(k), 'no clock ticks since the previous reading') : ok(base(k), u);
    });
  }

  return { name: 'proc-stat', probe, read, close: () => Promise.resolve() };
}
