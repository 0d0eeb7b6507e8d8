/** Terminal output helpers: messages on stderr, data on stdout, plain aligned tables. */
import type { LineTally } from '../store/csv-reader.js';

export function warn(command: string, message: string): void {
  process.stderr.write(`rle ${command}: warning: ${message}\n`);
}

/** "26 rows (lines 4160, 4600, 5198, …)" */
export function describeTally(t: LineTally, noun: string): string {
  const more = t.count > t.lines.length ? ', …' : '';
  return `${t.count} ${noun}${t.count === 1 ? '' : 's'} (line${t.lines.length === 1 ? '' : 's'} ${t.lines.join(', ')}${more})`;
}

/** Fixed significant digits for humans; `n/a` when not computable. */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 10 ** digits) return x.toFixed(0);
  if (a < 1e-3) return x.toExponential(1);
  return x.toPrecision(digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}
