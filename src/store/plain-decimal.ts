/**
 * Reading numbers of a session CSV without Number(): a day at 1 Hz has ~520,000 readings, and
 * nearly all are plain decimals (`48.8`, `45.26`, `113.335`) that this reads in place, in the
 * line's text, without making a string of each first.
 */

/** 10^0 … 10^15, exact. */
const POW10 = Array.from({ length: 16 }, (_, k) => Number(`1e${k}`));

/**
 * text[from…to) as Number() reads it, when it is a plain decimal (`-12.5`, `48`, `.5`, `5.`)
 * of at most 15 digits: then digits / 10^decimals is one division of exact doubles, which
 * IEEE 754 rounds correctly, as Number() does. Anything else (exponents, `+`, blanks, `nan`,
 * longer digit strings, nothing at all): null, for Number() to read.
 */
export function plainDecimal(text: string, from: number, to: number): number | null {
  let i = from;
  const negative = text.charCodeAt(i) === 45; // -
  if (negative) i++;
  let v = 0;
  let digits = 0;
  let decimals = -1;
  for (; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === 46 /* . */ && decimals < 0) decimals = 0;
    else return null;
  }
  if (digits === 0 || digits > 15) return null;
  if (decimals > 0) v /= POW10[decimals]!;
  return negative ? -v : v;
}
