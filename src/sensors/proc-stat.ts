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

const SPACE = 0x20, TAB = 0x09, ZERO = 0x30, NINE = 0x39;
const isDigit = (c: number) => c >= ZERO && c <= NINE;

/**
 * The `cpu` and `cpu<N>` lines, character by character: this runs ten times a second, and
 * splitting the whole file into lines and matching each with a regex cost more than reading
 * it. Other lines (the long `intr` line among them) are skipped with one indexOf. A cpu line
 * that is not a name followed by unsigned integers is ignored, as before.
 */
export function parseStat(text: string): StatSnapshot {
  const snap: StatSnapshot = new Map();
  for (let i = 0; i < text.length; ) {
    let end = text.indexOf('\n', i);
    if (end < 0) end = text.length;
    if (text.startsWith('cpu', i)) {
      const line = cpuLine(text, i, end);
      if (line) snap.set(line.name, line.counters);
    }
    i = end + 1;
  }
  return snap;
}

/** The line text[from, end) as `cpu\d*` and its first COLUMNS counters, or null when malformed. */
function cpuLine(text: string, from: number, end: number): { name: string; counters: number[] } | null {
  let i = from + 3;
  while (i < end && isDigit(text.charCodeAt(i))) i++;
  const name = text.slice(from, i);
  const counters: number[] = [];
  for (;;) {
    const start = i;
    while (i < end && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
    if (i === end) break;
    if (i === start || !isDigit(text.charCodeAt(i))) return null;
    let v = 0;
    for (let c = text.charCodeAt(i); i < end && isDigit(c); c = text.charCodeAt(++i)) v = v * 10 + (c - ZERO);
    if (counters.length < COLUMNS) counters.push(v);
  }
  return counters.length > 0 ? { name, counters } : null;
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

  type Base = Omit<Reading, 'status' | 'value' | 'reason'>;
  /** Reading bases by key, and the keys in order, rebuilt only when a core first appears. */
  const bases = new Map<string, Base>([['cpu', { id: 'cpu.util', device: 'cpu', kind: 'util', unit: '%', source: file, primary: true }]]);
  let keyList: string[] = ['cpu'];
  const base = (key: string): Base => bases.get(key)!;
  const keys = () => keyList;
  const remember = (snap: StatSnapshot) => {
    let grew = false;
    for (const k of snap.keys()) {
      if (k === 'cpu' || bases.has(k)) continue;
      bases.set(k, { id: `cpu.core${k.slice(3)}.util`, device: 'cpu', kind: 'util', unit: '%', source: file });
      cores.add(Number(k.slice(3)));
      grew = true;
    }
    if (grew) keyList = ['cpu', ...[...cores].sort((a, b) => a - b).map((n) => `cpu${n}`)];
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
