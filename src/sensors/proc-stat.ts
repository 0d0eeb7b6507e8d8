/**
 * CPU utilisation from /proc/stat: the share of clock ticks (USER_HZ) not spent idle or in
 * iowait between two consecutive reads, for the machine (`cpu.util`) and per core
 * (`cpu.core<N>.util`). A point sample means nothing here, so the first read is unavailable.
 */
import path from 'node:path';
import { bytesReaderOf, notRead, readBytes, type SourceOptions } from './fs-read.js';
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

const NL = 0x0a, SPACE = 0x20, TAB = 0x09, ZERO = 0x30, NINE = 0x39, C = 0x63, P = 0x70, U = 0x75;
const isDigit = (c: number) => c >= ZERO && c <= NINE;

/** Line names by core number, made once: `cpu17` is not rebuilt from bytes every tick. */
const coreNames: string[] = [];

/**
 * The `cpu` and `cpu<N>` lines, byte by byte, from the reader's reused buffer: this runs ten
 * times a second, and decoding the whole file (the `intr` line alone is tens of kB on large
 * machines), splitting it into lines and matching each with a regex cost more than reading
 * it. Other lines are skipped with one indexOf. A cpu line that is not a name followed by
 * unsigned integers is ignored, as before.
 */
export function parseStatBytes(b: Uint8Array): StatSnapshot {
  const snap: StatSnapshot = new Map();
  for (let i = 0; i < b.length; ) {
    let end = b.indexOf(NL, i);
    if (end < 0) end = b.length;
    if (end - i >= 3 && b[i] === C && b[i + 1] === P && b[i + 2] === U) cpuLine(b, i, end, snap);
    i = end + 1;
  }
  return snap;
}

/** parseStatBytes of a text (tests, readers without bytes). */
export function parseStat(text: string): StatSnapshot {
  return parseStatBytes(Buffer.from(text, 'latin1'));
}

/** Adds the line b[from, end) to `snap` as `cpu\d*` and its first COLUMNS counters, unless malformed. */
function cpuLine(b: Uint8Array, from: number, end: number, snap: StatSnapshot): void {
  let i = from + 3;
  let core = 0;
  while (i < end && isDigit(b[i]!)) core = core * 10 + (b[i++]! - ZERO);
  const digits = i - from - 3;
  const counters: number[] = [];
  for (;;) {
    const start = i;
    while (i < end && (b[i] === SPACE || b[i] === TAB)) i++;
    if (i === end) break;
    if (i === start || !isDigit(b[i]!)) return;
    let v = 0;
    while (i < end && isDigit(b[i]!)) v = v * 10 + (b[i++]! - ZERO);
    if (counters.length < COLUMNS) counters.push(v);
  }
  if (counters.length === 0) return;
  snap.set(digits === 0 ? 'cpu' : lineName(b, from, digits, core), counters);
}

function lineName(b: Uint8Array, from: number, digits: number, core: number): string {
  // `cpu007` is not `cpu7`: only a canonical number may use the cached name.
  if (b[from + 3] === ZERO && digits > 1) return String.fromCharCode(...b.subarray(from, from + 3 + digits));
  return (coreNames[core] ??= `cpu${core}`);
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
  const read1 = bytesReaderOf(ctx, opts);
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
    const r = await readBytes(file, read1);
    if (r.ok) remember(parseStatBytes(r.bytes));
  }

  /** One reading per key (an indexed loop: see "The tick's path" in ../sampler/sampler.ts). */
  function readingsOf(cur: StatSnapshot, last: StatSnapshot | null): Reading[] {
    const ks = keys();
    const out: Reading[] = new Array<Reading>(ks.length);
    for (let i = 0; i < ks.length; i++) {
      const k = ks[i]!;
      const c = cur.get(k);
      const p = last?.get(k);
      if (!c) out[i] = unavailable(base(k), `${k} not listed in ${file} (offline)`);
      else if (!p) out[i] = unavailable(base(k), FIRST);
      else {
        const u = utilization(p, c);
        out[i] = u === null ? unavailable(base(k), 'no clock ticks since the previous reading') : ok(base(k), u);
      }
    }
    return out;
  }

  async function read(): Promise<Reading[]> {
    if (!probed) await probe();
    const r = await readBytes(file, read1);
    if (!r.ok) {
      prev = null;
      return keys().map((k) => notRead(base(k), r));
    }
    const cur = parseStatBytes(r.bytes);
    if (!cur.has('cpu')) return keys().map((k) => failed(base(k), `no "cpu" line in ${file}`));
    remember(cur);
    const last = prev;
    prev = cur;
    return readingsOf(cur, last);
  }

  return { name: 'proc-stat', probe, read, close: () => Promise.resolve() };
}
