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

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** 10 ** n for n = 0…9, as the `**` operator gives them (so the fractions are as before). */
const POW10 = Array.from({ length: 10 }, (_, n) => 10 ** n);

/**
 * The last canonical time's minute, `YYYY-MM-DDTHH:MM:` (the first 17 characters of `text`),
 * and its Unix time, s: a session at 1 Hz has a new minute only every 60 samples per device.
 */
let minuteText = '';
let minuteT = 0;

/** Whether a and b have the same first n characters (both at least n long). */
function samePrefix(a: string, b: string, n: number): boolean {
  if (a.length < n || b.length < n) return false;
  for (let i = 0; i < n; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

/** Unix time of the minute `YYYY-MM-DDTHH:MM` at the start of s, s; null when it is no valid minute. */
function minuteOf(s: string): number | null {
  const y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  const h = digits(s, 11, 2), mi = digits(s, 14, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59) return null;
  if (d > DAYS_IN_MONTH[mo - 1]! || (mo === 2 && d === 29 && !isLeap(y))) return null;
  return daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

/**
 * The form rle itself writes, `YYYY-MM-DDTHH:MM:SS[.f…]Z`, parsed without a regex or Date:
 * replaying a day at 1 Hz parses ~170,000 of these. Anything else goes the general way.
 */
function parseCanonical(s: string): ParsedTime | null | undefined {
  const n = s.length;
  if (
    n < 20 ||
    s.charCodeAt(n - 1) !== 90 /* Z */ ||
    s.charCodeAt(4) !== 45 /* - */ ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 /* T */ ||
    s.charCodeAt(13) !== 58 /* : */ ||
    s.charCodeAt(16) !== 58
  ) {
    return undefined;
  }
  let minute: number | null;
  if (samePrefix(s, minuteText, 17)) minute = minuteT;
  else if ((minute = minuteOf(s)) !== null) {
    minuteText = s;
    minuteT = minute;
  }
  const sec = digits(s, 17, 2);
  if (minute === null || sec < 0 || sec > 60) return null;
  let frac = 0;
  if (n > 20) {
    if (s.charCodeAt(19) !== 46 /* . */ || n - 21 > 9 || n - 21 < 1) return undefined;
    const f = digits(s, 20, n - 21);
    if (f < 0) return null;
    frac = f / POW10[n - 21]!;
  }
  // The whole seconds are an exact integer sum: t is as one sum of all the parts gives it.
  return { t: minute + sec + frac, iso: s };
}

let lastInput = '';
let lastResult: ParsedTime | null = null;

/** Returns null when `s` is not an ISO 8601 date-time. */
export function parseTimestamp(s: string): ParsedTime | null {
  // Sessions interleave devices sampled at one instant: the same string comes in runs.
  if (s === lastInput) return lastResult;
  let r = parseCanonical(s);
  if (r === undefined) r = parseGeneral(s);
  lastInput = s;
  lastResult = r;
  return r;
}

function parseGeneral(s: string): ParsedTime | null {
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
  const wholeS = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offsetMin * 60;
  const t = frac ? wholeS + Number('0.' + frac) : wholeS;
  const base = new Date(wholeS * 1000).toISOString().slice(0, 19);
  return { t, iso: frac ? `${base}.${frac}Z` : `${base}Z` };
}

/** Canonical UTC ISO string for a Unix time in seconds, to the microsecond (trailing zeros dropped). */
export function formatTimestamp(t: number): string {
  let whole = Math.floor(t);
  let us = Math.round((t - whole) * 1e6);
  if (us === 1e6) {
    whole += 1;
    us = 0;
  }
  const base = new Date(whole * 1000).toISOString().slice(0, 19);
  return us === 0 ? `${base}Z` : `${base}.${String(us).padStart(6, '0').replace(/0+$/, '')}Z`;
}
