/**
 * ISO 8601 date-times as sessions carry them: `2025-10-27T09:04:30.204129Z`, `…+00:00`,
 * a space instead of `T`, and offset-less times (which rle treats as UTC: the earlier tools
 * wrote UTC without a suffix in their training CSVs, see ../shared/data/README.md).
 * Sub-millisecond digits are kept: Date would round them away.
 */

export interface ParsedTime {
  /** Unix time, seconds (float, µs resolution). */
  readonly t: number;
  /** Canonical form: UTC with `Z`, the input's fractional digits kept. */
  readonly iso: string;
}

const RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:(Z|z)|([+-])(\d{2})(?::?(\d{2}))?)?$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Returns null when `s` is not an ISO 8601 date-time. */
export function parseTimestamp(s: string): ParsedTime | null {
  const m = RE.exec(s.trim());
  if (!m) return null;
  const [, ys, mos, ds, hs, mis, ss, frac, , sign, ohs, oms] = m;
  const y = +ys!, mo = +mos!, d = +ds!, h = +hs!, mi = +mis!, sec = ss ? +ss : 0;
  if (mo < 1 || mo > 12 || d < 1) return null;
  if (d > DAYS_IN_MONTH[mo - 1]! || (mo === 2 && d === 29 && !isLeap(y))) return null;
  if (h > 23 || mi > 59 || sec > 60) return null; // 60: a leap second
  let offsetMin = 0;
  if (sign) {
    const oh = +ohs!, om = oms ? +oms : 0;
    if (oh > 23 || om > 59) return null;
    offsetMin = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const wholeS = Date.UTC(y, mo - 1, d, h, mi, sec) / 1000 - offsetMin * 60;
  const t = frac ? wholeS + Number('0.' + frac) : wholeS;
  const canonical = s.length >= 20 && s.endsWith('Z') && s[10] === 'T' && s.trim() === s;
  if (canonical) return { t, iso: s };
  const base = new Date(wholeS * 1000).toISOString().slice(0, 19);
  return { t, iso: frac ? `${base}.${frac}Z` : `${base}Z` };
}

/** Canonical UTC ISO string with millisecond precision for a Unix time in seconds. */
export function formatTimestamp(t: number): string {
  return new Date(Math.round(t * 1000)).toISOString();
}
