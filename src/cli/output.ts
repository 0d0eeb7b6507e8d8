/** Terminal output helpers: warnings on stderr, tallies of problem lines. */
import type { LineTally } from '../store/csv-reader.js';

/**
 * `s` as one printable line: control characters (ESC, CR, BEL, newlines… from a file's header
 * or an argument) are written as escapes (`\x1b`, `\n`), so no input can move the cursor,
 * retitle the terminal or forge a line of its own.
 */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const n = c.charCodeAt(0);
    return n > 0xff ? `\\u${n.toString(16)}` : `\\x${n.toString(16).padStart(2, '0')}`;
  });
}

export function warn(command: string, message: string): void {
  process.stderr.write(`rle ${command}: warning: ${printable(message)}\n`);
}

/** "26 rows (lines 4160, 4600, 5198, …)" */
export function describeTally(t: LineTally, noun: string): string {
  const more = t.count > t.lines.length ? ', …' : '';
  return `${t.count} ${noun}${t.count === 1 ? '' : 's'} (line${t.lines.length === 1 ? '' : 's'} ${t.lines.join(', ')}${more})`;
}
