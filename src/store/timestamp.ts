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

/** `YYYY-MM-DDTHH:MM:`: the minute part of a canonical time, characters. */
const MINUTE_CHARS = 17;
/**
 * The last canonical time's minute (its first 17 characters, as char codes) and its Unix
 * time, s: a session at 1 Hz has a new minute only every 60 samples per device.
 */
const minuteCodes = new Uint16Array(MINUTE_CHARS);
let minuteT: number | null = null;

/** Unix time of the minute `YYYY-MM-DDTHH:MM` at s[at…], s; null when it is no valid minute. */
function minuteOf(s: string, at: number): number | null {
  const y = digits(s, at, 4), mo = digits(s, at + 5, 2), d = digits(s, at + 8, 2);
  const h = digits(s, at + 11, 2), mi = digits(s, at + 14, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59) return null;
  if (d > DAYS_IN_MONTH[mo - 1]! || (mo === 2 && d === 29 && !isLeap(y))) return null;
  return daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

/** The minute of the time at s[at…], from the last one when it is the same. */
function minuteAt(s: string, at: number): number | null {
  let same = minuteT !== null;
  for (let i = 0; same && i < MINUTE_CHARS; i++) same = s.charCodeAt(at + i) === minuteCodes[i];
  if (same) return minuteT;
  const t = minuteOf(s, at);
  if (t !== null) {
    for (let i = 0; i < MINUTE_CHARS; i++) minuteCodes[i] = s.charCodeAt(at + i);
    minuteT = t;
  }
  return t;
}

/**
 * s[from…to) in the form rle itself writes, `YYYY-MM-DDTHH:MM:SS[.f…]Z`, parsed in place,
 * without a regex, Date or a string of its own (unless it is the answer): replaying a day at
 * 1 Hz parses ~170,000 of these. Anything else (undefined) goes the general way.
 */
function parseCanonical(s: string, from: number, to: number): ParsedTime | null | undefined {
  const n = to - from;
  if (
    n < 20 ||
    s.charCodeAt(to - 1) !== 90 /* Z */ ||
    s.charCodeAt(from + 4) !== 45 /* - */ ||
    s.charCodeAt(from + 7) !== 45 ||
    s.charCodeAt(from + 10) !== 84 /* T */ ||
    s.charCodeAt(from + 13) !== 58 /* : */ ||
    s.charCodeAt(from + 16) !== 58
  ) {
    return undefined;
  }
  const minute = minuteAt(s, from);
  const sec = digits(s, from + 17, 2);
  if (minute === null || sec < 0 || sec > 60) return null;
  let frac = 0;
  if (n > 20) {
    if (s.charCodeAt(from + 19) !== 46 /* . */ || n - 21 > 9 || n - 21 < 1) return undefined;
    const f = digits(s, from + 20, n - 21);
    if (f < 0) return null;
    frac = f / POW10[n - 21]!;
  }
  // The whole seconds are an exact integer sum: t is as one sum of all the parts gives it.
  return { t: minute + sec + frac, iso: from === 0 && to === s.length ? s : s.slice(from, to) };
}

/** parseTimestamp(text.slice(from, to)), without making that string for the common form. */
export function parseTimestampIn(text: string, from: number, to: number): ParsedTime | null {
  const r = parseCanonical(text, from, to);
  return r === undefined ? parseGeneral(text.slice(from, to)) : r;
}

let lastInput = '';
let lastResult: ParsedTime | null = null;

/** Returns null when `s` is not an ISO 8601 date-time. */
export function parseTimestamp(s: string): ParsedTime | null {
  // Sessions interleave devices sampled at one instant: the same string comes in runs.
  if (s === lastInput) return lastResult;
  const r = parseTimestampIn(s, 0, s.length);
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
