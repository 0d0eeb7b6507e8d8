/**
 * Half-precision floats as checkpoints store them: IEEE binary16 (F16) and bfloat16 (BF16),
 * both ways, exact on decode and round-to-nearest-even on encode.
 */
import os from 'node:os';

/** Tensor bytes are little-endian and are viewed in place as typed arrays. */
export function assertLittleEndian(): void {
  if (os.endianness() !== 'LE') throw new Error('safetensors: big-endian hosts are not supported');
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary16 bits → value, exact (subnormals, ±0, ±Infinity, NaN). */
export function f16ToF32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (0x400 + mant) * 2 ** (exp - 25);
}

/** bfloat16 bits → value, exact: bfloat16 is the top half of a float32. */
export function bf16ToF32(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0]!;
}

/** float32 bits → binary16 bits, round to nearest, ties to even; NaN stays a (quiet) NaN. */
export function f16FromF32Bits(b: number): number {
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant === 0 ? 0 : 0x200);
  const e = exp - 112; // re-biased exponent: 127 → 15
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: the value in units of 2^-24 is m · 2^(e - 14), m the 24-bit significand.
    const shift = 14 - e;
    if (shift > 24) return sign; // below half of 2^-24: rounds to zero
    const m = mant | 0x800000;
    let h = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h; // a carry into 0x400 is the smallest normal, encoded correctly
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++; // a carry into 0x7c00 is Infinity
  return sign | h;
}

/** float32 bits → bfloat16 bits, round to nearest, ties to even; NaN stays a (quiet) NaN. */
export function bf16FromF32Bits(b: number): number {
  if ((b & 0x7fffffff) > 0x7f800000) return ((b >>> 16) & 0x8000) | 0x7fc0;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Number → float32 → binary16 bits (the writer's conversion, for one value). */
export function f32ToF16(x: number): number {
  f32[0] = x;
  return f16FromF32Bits(u32[0]!);
}

/** Number → float32 → bfloat16 bits (the writer's conversion, for one value). */
export function f32ToBf16(x: number): number {
  f32[0] = x;
  return bf16FromF32Bits(u32[0]!);
}

let f16Table: Float32Array | null = null;
/** All 65536 binary16 values, built on first use (256 KiB): faster than converting per element. */
export function f16Lut(): Float32Array {
  if (f16Table === null) {
    f16Table = new Float32Array(0x10000);
    for (let i = 0; i < 0x10000; i++) f16Table[i] = f16ToF32(i);
  }
  return f16Table;
}

