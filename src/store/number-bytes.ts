/**
 * Numbers written as ASCII bytes exactly as ECMAScript's Number#toString writes them: the
 * fewest significant digits that read back to the same double, of those the closest to it.
 * `rle augment` writes ~1.9 million numbers for a day at 1 Hz (11 a row); String(x) costs
 * ~250 ns each on the 2-core bench VM (a runtime call, V8's dtoa, a new string), this ~60 ns
 * with no string made (bench/augment.mjs; test/store/number-bytes.test.ts checks equality).
 *
 * Method, for 1e-6 ≤ x < 1e17 that is not an integer: scale x to P = x·10^k with 17–18
 * integer digits. P is the exact sum hi + lo of two doubles (Dekker's product; 10^k is exact
 * for k ≤ 22), and so are the half-gaps to x's neighbouring doubles, scaled. The integers N
 * within them are the 17–18-digit decimals that read back as x: the one with the most
 * trailing zeros has the fewest significant digits, and when several have as many, the one
 * nearest P is the closest. Whenever a decision lies closer to a tie than the arithmetic can
 * vouch for (an end of the interval on an integer, P halfway between two candidates), the
 * number goes to String(x) instead: about one in 10^8 engine outputs. Integers below 2^53
 * are written directly; everything else (tiny, huge, NaN) through String(x).
 */

/** The most bytes writeNumber writes (`-1.2345678901234567e-308`). */
export const MAX_NUMBER_BYTES = 25;

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
/** Index of the high word of a double in U32 (the platform's byte order). */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

const TWO53 = 9007199254740992;
/** Dekker's splitter for doubles, 2^27 + 1. */
const SPLIT = 134217729;
/** Nearer than this to a tie (in units of the 17th–18th digit), a decision is left to String(x). */
const EPS = 1e-9;
const LOG10_2 = 0.30102999566398114;

/** 10^k for k = 0…22, all exact doubles, and their Dekker halves. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const POW10_HI = POW10.map((p) => {
  const t = SPLIT * p;
  return t - (t - p);
});
const POW10_LO = POW10.map((p, k) => p - POW10_HI[k]!);

/** Half the gap between doubles of each biased exponent (2^(e − 1076)), for normal doubles. */
const HALF_ULP = Float64Array.from({ length: 2047 }, (_, e) => (e === 0 ? 0 : 2 ** (e - 1076)));

/** "00" … "99" as byte pairs. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = 48 + Math.floor(i / 10);
  PAIRS[2 * i + 1] = 48 + (i % 10);
}

/** Writes the string `s` one code unit a byte (callers pass ASCII). */
function writeAscii(out: Uint8Array, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[at++] = s.charCodeAt(i);
  return at;
}

/** The `n` (≤ 10) decimal digits of the integer 0 ≤ v < 2^31, zero-padded, at out[at…at+n). */
function writeDigits(out: Uint8Array, at: number, v: number, n: number): void {
  let i = at + n;
  let w = v | 0;
  while (n >= 2) {
    const q = (w / 100) | 0;
    const r = (w - q * 100) << 1;
    out[--i] = PAIRS[r + 1]!;
    out[--i] = PAIRS[r]!;
    w = q;
    n -= 2;
  }
  if (n === 1) out[--i] = 48 + w;
}

/** Decimal digits of the integer 1 ≤ v < 10^16 (1 for 0). */
function digitCount(v: number): number {
  let n = 1;
  while (n < 16 && v >= POW10[n]!) n++;
  return n;
}

/** An integer 0 ≤ v < 2^53, as decimal digits. */
function writeInteger(out: Uint8Array, at: number, v: number): number {
  if (v < 1e9) {
    const n = digitCount(v);
    writeDigits(out, at, v, n);
    return at + n;
  }
  const high = Math.floor(v / 1e9);
  const n = digitCount(high);
  writeDigits(out, at, high, n);
  writeDigits(out, at + n, v - high * 1e9, 9);
  return at + n + 9;
}

/**
 * The largest j ≤ 8 such that [lo, hi] (0 < lo ≤ hi < 10^9, int32) holds a multiple of 10^j.
 * The interval is at most a few hundred wide, so j is almost always 0–2: tried first, with
 * constant divisors (which compile to multiplications).
 */
function trailingZeros(lo: number, hi: number): number {
  if (hi - (hi % 10) < lo) return 0;
  if (hi - (hi % 100) < lo) return 1;
  if (hi - (hi % 1000) < lo) return 2;
  let j = 3;
  while (j < 8 && hi - (hi % POW10[j + 1]!) >= lo) j++;
  return j;
}

/**
 * The fast path for 1e-6 ≤ x < 1e17, x > 0 and not an integer below 2^53. Returns the offset
 * after the digits, or -1 when String(x) must decide.
 */
function writeShortest(out: Uint8Array, at: number, x: number): number {
  F64[0] = x;
  const hiWord = U32[HI]!;
  const biased = hiWord >>> 20;
  // 10^est ≤ x < 10^(est+2), so P = x·10^k lies in [1e16, 1e18).
  const est = Math.floor((biased - 1023) * LOG10_2);
  const k = 16 - est;
  if (k < 0 || k > 22) return -1;
  const p = POW10[k]!;
  const hi = x * p;
  if (!(hi >= 1e16 && hi < 1e18)) return -1;
  // Dekker: hi + lo is exactly x·10^k; hi is an integer (≥ 2^53), |lo| ≤ 64.
  const t = SPLIT * x;
  const xh = t - (t - x);
  const xl = x - xh;
  const ph = POW10_HI[k]!;
  const pl = POW10_LO[k]!;
  const lo = xh * ph - hi + xh * pl + xl * ph + xl * pl;
  // Half the gap to the next double up, scaled (exact: a power of two times 10^k); the gap
  // down is half as wide when x is a power of two.
  const up = HALF_ULP[biased]! * p;
  const down = (hiWord & 0xfffff) === 0 && U32[1 - HI] === 0 ? up / 2 : up;
  // The candidates are the integers hi + o, o in [dl, du]; an end near an integer is a tie.
  const dl = lo - down;
  const du = lo + up;
  if (Math.abs(dl - Math.round(dl)) < EPS || Math.abs(du - Math.round(du)) < EPS) return -1;
  // hi = a·10^9 + b exactly (a·10^9 has ≤ 51 significant bits); int32 from here.
  let a = Math.floor(hi * 1e-9);
  let b = hi - a * 1e9;
  if (b < 0) {
    a -= 1;
    b += 1e9;
  } else if (b >= 1e9) {
    a += 1;
    b -= 1e9;
  }
  let ai = a | 0;
  let bi = b | 0;
  const oLow = Math.ceil(dl) | 0;
  const oHigh = Math.floor(du) | 0;
  // All candidates in the block of 10^9 below or above: b relative to that block.
  if (bi + oHigh < 0) {
    ai -= 1;
    bi += 1e9;
  } else if (bi + oLow >= 1e9) {
    ai += 1;
    bi -= 1e9;
  }
  const bl = bi + oLow;
  const bh = bi + oHigh;
  if (bl <= 0 || bh >= 1e9) {
    // A multiple of 10^9 reads back as x (short decimals: 45.26, 0.5218): the only one in
    // an interval this narrow, and so the one with the most trailing zeros.
    return layout(out, at, bh >= 1e9 ? ai + 1 : ai, 0, 0, k);
  }
  const j = trailingZeros(bl, bh);
  // Of the multiples of 10^j in [bl, bh], the one nearest to b + lo (P within the block):
  // that is b's multiple below plus the nearest to the rest (r + lo, small and exact) …
  const m = POW10[j]!;
  let q: number;
  let f: number;
  if (j === 0) {
    q = bi;
    f = lo;
  } else {
    q = Math.floor(bi / m);
    f = (bi - q * m + lo) / m;
  }
  const near = Math.floor(f + 0.5);
  // … unless P is about halfway between two of them.
  if (near - f > 0.5 - EPS || f - near > 0.5 - EPS) return -1;
  q += near;
  // P lies within half a step of [bl, bh]: one step in reaches the interval.
  if (q * m > bh) q -= 1;
  else if (q * m < bl) q += 1;
  return layout(out, at, ai, q, 9 - j, k);
}

/**
 * N = a·10^9 + q (10^6 < a ≤ 10^9; q < 10^9 with nq digits, zero-padded, and no trailing
 * zero; nq = 0 when q is 0), written as the number N·10^−k lays out in Number#toString for
 * −6 < n ≤ 21 (n: the position of the point after N's first digit): `0.000ddd`, `ddd.ddd`
 * or `ddd000`.
 */
function layout(out: Uint8Array, at: number, a: number, q: number, nq: number, k: number): number {
  let da = a >= 1e8 ? (a >= 1e9 ? 10 : 9) : a >= 1e7 ? 8 : 7;
  const n = da + 9 - k;
  if (nq === 0) {
    // Trailing zeros of a: they end the number.
    while (a % 10000 === 0) {
      a /= 10000;
      da -= 4;
    }
    if (a % 100 === 0) {
      a /= 100;
      da -= 2;
    }
    if (a % 10 === 0) {
      a /= 10;
      da -= 1;
    }
  }
  const kk = da + nq;
  if (n <= 0) {
    out[at++] = 48;
    out[at++] = 46;
    for (let i = n; i < 0; i++) out[at++] = 48;
    writeDigits(out, at, a, da);
    writeDigits(out, at + da, q, nq);
    return at + kk;
  }
  if (n < kk) {
    // Digits one place to the right, the first n moved back over the gap for the point.
    writeDigits(out, at + 1, a, da);
    writeDigits(out, at + 1 + da, q, nq);
    for (let i = 0; i < n; i++) out[at + i] = out[at + i + 1]!;
    out[at + n] = 46;
    return at + kk + 1;
  }
  writeDigits(out, at, a, da);
  writeDigits(out, at + da, q, nq);
  at += kk;
  for (let i = kk; i < n; i++) out[at++] = 48;
  return at;
}

/**
 * Writes String(x) as ASCII at out[at…] (room for MAX_NUMBER_BYTES needed) and returns the
 * offset after it. -0 is written `0`, as String writes it.
 */
export function writeNumber(out: Uint8Array, at: number, x: number): number {
  if (x === 0) {
    out[at] = 48;
    return at + 1;
  }
  let v = x;
  if (v < 0) {
    out[at++] = 45;
    v = -v;
  }
  if (v < TWO53 && Math.floor(v) === v) return writeInteger(out, at, v);
  if (v >= 1e-6 && v < 1e17) {
    const end = writeShortest(out, at, v);
    if (end >= 0) return end;
  }
  return writeAscii(out, at, String(v));
}

/**
 * One number for each path through writeNumber (each branch of writeShortest, trailingZeros
 * and layout, integers, String's cases), as found by test/store/number-bytes.test.ts. They
 * are written at load: the optimizing compiler then sees every branch taken, where otherwise
 * the first rare one (a power of two, a 15-digit value) throws away the optimized code and it
 * is compiled again, several times per run.
 */
export const EVERY_PATH = [
  0, 600, 1234567890123, -2.3143341194560438e-7, 1e21, 0.5, 0.9335679190556821, 0.34903527003599716, 0.971111349003655,
  0.32657382699591, 0.3780504898615, 0.362156259179, 0.51523286757, 0.2685546875, 0.869140625, 0.521856, 0.58658, 45.26,
  0.671715, 0.7209099999999999, 131.4666666666648, 1.5e16, 12345678.9,
];

/** Feedback is gathered from a function's first few calls on: three rounds. */
const warm = Buffer.alloc(MAX_NUMBER_BYTES);
for (let round = 0; round < 3; round++) for (const x of EVERY_PATH) writeNumber(warm, 0, x);
