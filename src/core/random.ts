/** A uniform generator on [0, 1) that can also draw a resampled sum in one loop. */
export interface Uniform {
  (): number;
  /**
   * Σ values[⌊u·m⌋] over the next m = values.length uniforms u — a sum of m values resampled
   * with replacement — the same numbers as m calls, with the state in a local: a throttle tax
   * draws 32,000 of them a draw, 1000 draws twice (1.6 s through calls here, about half so).
   */
  resampleSum(values: ArrayLike<number>): number;
}

/** mulberry32: a tiny, fast seeded PRNG (uniform in [0, 1)); enough for shuffles and test signals. */
export function mulberry32(seed: number): Uniform {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const resampleSum = (values: ArrayLike<number>): number => {
    const m = values.length;
    let s = a | 0, sum = 0;
    for (let i = 0; i < m; i++) {
      s = (s + 0x6d2b79f5) | 0;
      let t = Math.imul(s ^ (s >>> 15), s | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      sum += values[Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * m)]!;
    }
    a = s >>> 0;
    return sum;
  };
  return Object.assign(next, { resampleSum });
}

/**
 * The same stream as mulberry32(seed), as integers: each call fills out[from…to) with
 * ⌊u · 2^bits⌋ of the next uniforms u — the top `bits` bits of each 32-bit output — in one loop
 * with the state in a local. A surrogate test draws 131,070 phases a draw: 1.2–2.4 ms through
 * the closure here, 0.74 ms this way.
 */
export function mulberry32Bits(seed: number, bits: number): (out: Int32Array, from: number, to: number) => void {
  let a = seed | 0;
  const shift = 32 - bits;
  return (out, from, to) => {
    let s = a;
    for (let i = from; i < to; i++) {
      s = (s + 0x6d2b79f5) | 0;
      let t = Math.imul(s ^ (s >>> 15), s | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = (t ^ (t >>> 14)) >>> shift;
    }
    a = s;
  };
}
