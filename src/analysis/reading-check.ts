/**
 * Is a recorded "reading" a reading? The earlier RLE tools wrote constants into reading
 * columns (CPU 50.0 °C and 125.0 W on every row) and power as an exact function of
 * utilization (rated × util/100, e.g. 1.25 × util): neither measured anything. One streaming
 * pass per device collects what tells them apart, and the verdict labels the column
 * `constant` or `derived` — never `measured` or `recorded`. Pure.
 *
 * - constant: one value on every sample (at least SUMMARY_DEFAULTS.constantMinSamples) while
 *   the device worked — its utilization spanned at least constantUtilSpanPct points; a real
 *   sensor, even quantised to 1 °C or 0.1 W, moves under a changing load.
 * - derived: power = a + b·util on every sample to within linearTolerance of its range (or the
 *   tool's rounding to 0.01 W, linearRoundingW: the laptop sessions write 1.25 × 63.9 = 79.875
 *   as 79.88), over at least linearMinDistinctUtil distinct utilizations (a least-squares line
 *   through the samples, its largest residual checked). No sensor stays within 0.01 W of a
 *   line in utilization over a session.
 */
import { SUMMARY_DEFAULTS } from '../core/constants.js';

export type ReadingVerdict = 'constant' | 'derived' | null;

export interface ColumnVerdict {
  readonly verdict: ReadingVerdict;
  /** Why, for notes: "50 °C on all 360 samples while utilization ranged 3–100 %". */
  readonly why: string | null;
}

class Column {
  n = 0;
  first: number | null = null;
  same = true;
  add(v: number): void {
    if (this.n++ === 0) this.first = v;
    else if (v !== this.first) this.same = false;
  }
}

/** Least-squares sums for power against utilization, and the pairs to check the residual of. */
class LinearFit {
  n = 0;
  su = 0;
  sp = 0;
  suu = 0;
  sup = 0;
  pMin = Infinity;
  pMax = -Infinity;
  readonly distinct = new Set<number>();
  /** Kept pairs (bounded): the residual check needs them; a session over this length keeps its first pairs. */
  readonly pairs: [number, number][] = [];
  add(u: number, p: number): void {
    this.n++;
    this.su += u;
    this.sp += p;
    this.suu += u * u;
    this.sup += u * p;
    if (p < this.pMin) this.pMin = p;
    if (p > this.pMax) this.pMax = p;
    if (this.distinct.size < 64) this.distinct.add(u);
    if (this.pairs.length < MAX_PAIRS) this.pairs.push([u, p]);
  }
}

/** Pairs kept for the residual check (bytes: 16 per pair). */
const MAX_PAIRS = 200_000;

export class ReadingCheck {
  private readonly temp = new Column();
  private readonly power = new Column();
  private readonly fit = new LinearFit();
  private uMin = Infinity;
  private uMax = -Infinity;

  /** One sample's recorded values (null where absent). */
  add(util: number | null, temp: number | null, power: number | null): void {
    if (util !== null) {
      if (util < this.uMin) this.uMin = util;
      if (util > this.uMax) this.uMax = util;
    }
    if (temp !== null) this.temp.add(temp);
    if (power !== null) {
      this.power.add(power);
      if (util !== null) this.fit.add(util, power);
    }
  }

  private worked(): boolean {
    return this.uMax - this.uMin >= SUMMARY_DEFAULTS.constantUtilSpanPct;
  }

  private constant(c: Column, unit: string): ColumnVerdict | null {
    if (!c.same || c.n < SUMMARY_DEFAULTS.constantMinSamples || !this.worked()) return null;
    return { verdict: 'constant', why: `${c.first} ${unit} on all ${c.n} samples while utilization ranged ${fmt(this.uMin)}–${fmt(this.uMax)} %: a constant written by the recording tool, not a measurement` };
  }

  tempVerdict(): ColumnVerdict {
    return this.constant(this.temp, '°C') ?? { verdict: null, why: null };
  }

  powerVerdict(): ColumnVerdict {
    const c = this.constant(this.power, 'W');
    if (c) return c;
    const f = this.fit;
    if (f.n < SUMMARY_DEFAULTS.constantMinSamples || f.distinct.size < SUMMARY_DEFAULTS.linearMinDistinctUtil || f.pMax <= f.pMin) return { verdict: null, why: null };
    const den = f.n * f.suu - f.su * f.su;
    if (den <= 0) return { verdict: null, why: null };
    const b = (f.n * f.sup - f.su * f.sp) / den;
    const a = (f.sp - b * f.su) / f.n;
    const tol = Math.max(SUMMARY_DEFAULTS.linearTolerance * (f.pMax - f.pMin), SUMMARY_DEFAULTS.linearRoundingW);
    if (f.pairs.some(([u, p]) => Math.abs(p - (a + b * u)) > tol)) return { verdict: null, why: null };
    return { verdict: 'derived', why: `power is exactly ${fmt(a)} + ${fmt(b)} × util on all ${f.n} samples: computed from utilization by the recording tool (an estimate), not measured` };
  }
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}
