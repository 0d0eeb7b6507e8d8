/** Numbers for people: fixed significant digits, durations, shares, plurals; `n/a` when there is no value. */

/** Fixed significant digits; `n/a` when not computable. */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 10 ** digits) return x.toFixed(0);
  if (a < 1e-3) return x.toExponential(1);
  return x.toPrecision(digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/** A share (0–1) as a percentage. */
export function pct(x: number | null): string {
  return x === null ? 'n/a' : `${(100 * x).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`;
}

/** Seconds as s, min or h. */
export function duration(s: number | null): string {
  if (s === null) return 'n/a';
  if (s < 120) return `${fmt(s)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(2)} h`;
}

/** "1 row", "2 rows". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * A computed value at 12 significant digits: 5e-5 × 3/5 is 3.0000000000000004e-5 in binary,
 * which is noise, not a learning rate anyone set. null and non-finite stay as they are.
 */
export function tidy(x: number | null | undefined): number | null {
  return x === null || x === undefined ? null : Number.isFinite(x) ? Number(x.toPrecision(12)) : x;
}
