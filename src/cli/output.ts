/** Terminal output helpers: warnings on stderr, tallies of problem lines. */
import type { LineTally } from '../store/csv-reader.js';

export function warn(command: string, message: string): void {
  process.stderr.write(`rle ${command}: warning: ${message}\n`);
}

/** "26 rows (lines 4160, 4600, 5198, …)" */
export function describeTally(t: LineTally, noun: string): string {
  const more = t.count > t.lines.length ? ', …' : '';
  return `${t.count} ${noun}${t.count === 1 ? '' : 's'} (line${t.lines.length === 1 ? '' : 's'} ${t.lines.join(', ')}${more})`;
}
