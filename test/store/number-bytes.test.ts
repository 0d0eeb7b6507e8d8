import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeSession } from '../../src/core/engine.js';
import { EVERY_PATH, MAX_NUMBER_BYTES, writeNumber } from '../../src/store/number-bytes.js';
import { rng } from '../helpers.js';

const out = Buffer.alloc(4 * MAX_NUMBER_BYTES);
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/** writeNumber's text, checking it stays within MAX_NUMBER_BYTES and writes nothing beyond its end. */
function written(x: number): string {
  out.fill(0xff);
  const end = writeNumber(out, 3, x);
  assert.ok(end - 3 <= MAX_NUMBER_BYTES, `${x}: ${end - 3} bytes`);
  assert.equal(out[end], 0xff, `${x}: wrote past its end`);
  assert.equal(out[2], 0xff, `${x}: wrote before its start`);
  return out.toString('latin1', 3, end);
}

/** Counts the values whose text differs from String(x), naming the first few. */
function mismatches(values: Iterable<number>): string[] {
  const bad: string[] = [];
  for (const x of values) {
    const s = written(x);
    if (s !== String(x) && bad.push(`${String(x)} written as ${s}`) >= 10) break;
  }
  return bad;
}

/** The doubles next to x (one unit in the last place up and down). */
function neighbours(x: number): number[] {
  F64[0] = x;
  const lo = U32[LOW]!;
  const res: number[] = [];
  if (lo < 0xffffffff) {
    U32[LOW] = lo + 1;
    res.push(F64[0]);
  }
  if (lo > 0) {
    U32[LOW] = lo - 1;
    res.push(F64[0]);
  }
  return res;
}

function* randomBits(n: number, seed: number): Generator<number> {
  const u = rng(seed);
  for (let i = 0; i < n; i++) {
    // Any exponent from the subnormals to the largest doubles, any sign and mantissa.
    U32[1 - LOW] = (Math.floor(u() * 2047) << 20) | Math.floor(u() * 0x100000) | (u() < 0.5 ? 0x80000000 : 0);
    U32[LOW] = Math.floor(u() * 2 ** 32);
    yield F64[0]!;
  }
}

function* shortDecimals(n: number, seed: number): Generator<number> {
  const u = rng(seed);
  for (let i = 0; i < n; i++) {
    const x = Math.floor(u() * 10 ** Math.floor(u() * 17)) / 10 ** Math.floor(u() * 22);
    yield x;
    yield* neighbours(x);
    yield -x;
  }
}

function* engineLike(n: number, seed: number): Generator<number> {
  const u = rng(seed);
  for (let i = 0; i < n; i++) {
    const a = Math.round(u() * 1e5) / 1000;
    yield a / 125;
    yield (u() * 100) / 100;
    yield 1 / (1 + u() * 30);
    yield (a / 100) * (1 / (1 + a / 7));
    yield u() * 2 ** (Math.floor(u() * 120) - 60);
  }
}

describe('writeNumber', () => {
  it('writes what String(x) writes for the special and edge values', () => {
    const edges = [
      0, -0, 1, -1, 0.5, 0.25, 0.1, 0.2, 0.1 + 0.2, 1 / 3, 2 / 3, -2.5, 600, 1e-6, 1e-7, 1.5e-6, 1e-5,
      123e-20, 1e16, 1e17, 1e17 - 16, 1e17 - 32, 2 ** 53, 2 ** 53 - 1, 2 ** 53 + 2, 1e21, 1e22, 6.02e23,
      Number.MAX_VALUE, Number.MIN_VALUE, 5e-324, 2.2250738585072014e-308, Number.MAX_SAFE_INTEGER, Number.EPSILON,
      NaN, Infinity, -Infinity, 45.26, 0.000001, 12.345678901234567, 99.99999999999999, 33.333333333333336,
    ];
    assert.deepEqual(mismatches(edges), []);
    assert.equal(written(-0), '0');
    assert.equal(written(NaN), 'NaN');
  });
  it('writes what String(x) writes for each value it primes its paths with', () => {
    assert.deepEqual(mismatches(EVERY_PATH), []);
  });
  it('writes what String(x) writes for every power of two and its neighbours', () => {
    const values: number[] = [];
    for (let e = -1074; e < 1024; e++) values.push(2 ** e, -(2 ** e), ...neighbours(2 ** e));
    for (let e = -30; e <= 30; e++) values.push(Number(`1e${e}`), ...neighbours(Number(`1e${e}`)));
    assert.deepEqual(mismatches(values), []);
  });
  it('writes what String(x) writes for 200,000 random doubles of every magnitude', () => {
    assert.deepEqual(mismatches(randomBits(200_000, 1)), []);
  });
  it('writes what String(x) writes for short decimals and their neighbours', () => {
    assert.deepEqual(mismatches(shortDecimals(100_000, 2)), []);
  });
  it('writes what String(x) writes for values like the engine computes', () => {
    assert.deepEqual(mismatches(engineLike(100_000, 3)), []);
    const rows = computeSession(Array.from({ length: 2000 }, (_, i) => ({ device: i % 2 ? 'gpu0' : 'cpu', util_pct: (i * 37) % 101, temp_c: 40 + (i % 45) / 3, power_w: 20 + ((i * 13) % 900) / 7 })));
    assert.deepEqual(mismatches(rows.flatMap((m) => [m.rle_smoothed, m.rle_raw, m.rle_norm, m.E_th, m.E_pw, m.a_load, m.t_sustain_s, m.rolling_peak])), []);
  });
});
