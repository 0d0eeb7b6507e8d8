/**
 * Discrete Fourier transforms, in place on (re, im) arrays, of the lengths the coupling uses:
 * 2^a (radix 4), and 3·2^a and 5·2^a (three or five power-of-two transforms of the interleaved
 * samples, joined by one radix-3 or radix-5 pass). The coupling zero-pads every series to the
 * shortest of these lengths that holds it and its lags (xcorr.ts, transformLength) and builds
 * its surrogates on that length (surrogate-test.ts): a day at 1 Hz with ±10 lags needs 77,527
 * points — 81,920 = 5·2¹⁴ instead of 131,072, whose transform took 5.6–6.1 ms here against
 * 3.4–4.2 ms. Tables are computed once per size and cached: a surrogate test transforms series
 * of one length hundreds of times.
 */

interface Pow2Plan {
  /** Pairs (i, j), i < j, that the bit-reversal permutation swaps. */
  swaps: Uint32Array;
  /**
   * Per radix-4 stage (block size L = 4m), its twiddles in the order the stage reads them:
   * cos and −sin of 2πk/n·(n/L)·{1, 2, 3} for k < m, six values per k. Laid out per stage,
   * a stage reads its table front to back instead of striding through one table of n entries
   * (at n = 2¹⁷ that stride missed the cache: 8.2 ms a transform before, 3.6 ms after; the
   * values, and so the results, are the same to the bit).
   */
  stages: Float64Array[];
}

const pow2Plans = new Map<number, Pow2Plan>();

function pow2Plan(n: number): Pow2Plan {
  let p = pow2Plans.get(n);
  if (p) return p;
  const pairs: number[] = [];
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) pairs.push(i, j);
  }
  const cos = new Float64Array(n), sin = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = -Math.sin((2 * Math.PI * k) / n);
  }
  const stages: Float64Array[] = [];
  for (let L = Math.round(Math.log2(n)) & 1 ? 8 : 4; L <= n; L *= 4) {
    const m = L >> 2, st = n / L, tw = new Float64Array(6 * m);
    for (let k = 0; k < m; k++) {
      const w1 = k * st;
      tw.set([cos[w1]!, sin[w1]!, cos[2 * w1]!, sin[2 * w1]!, cos[3 * w1]!, sin[3 * w1]!], 6 * k);
    }
    stages.push(tw);
  }
  p = { swaps: Uint32Array.from(pairs), stages };
  if (pow2Plans.size > 8) pow2Plans.clear();
  pow2Plans.set(n, p);
  return p;
}

/**
 * Radix-4 decimation in time on bit-reversed input (one radix-2 stage first when log₂ n is
 * odd): half the passes over memory of radix 2, measured 1.6× faster here at n = 2¹⁷. In the
 * bit-reversed order the four sub-transforms of a block of size L = 4m sit at offsets 0, m, 2m,
 * 3m and hold the inputs ≡ 0, 2, 1, 3 (mod 4).
 */
function fftPow2(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  const { swaps, stages } = pow2Plan(n);
  for (let q = 0; q < swaps.length; q += 2) {
    const i = swaps[q]!, j = swaps[q + 1]!;
    const tr = re[i]!, ti = im[i]!;
    re[i] = re[j]!;
    im[i] = im[j]!;
    re[j] = tr;
    im[j] = ti;
  }
  let L = 1;
  if (Math.round(Math.log2(n)) & 1) {
    for (let a = 0; a < n; a += 2) {
      const b = a + 1, tr = re[b]!, ti = im[b]!;
      re[b] = re[a]! - tr;
      im[b] = im[a]! - ti;
      re[a] = re[a]! + tr;
      im[a] = im[a]! + ti;
    }
    L = 2;
  }
  const sg = inverse ? -1 : 1;
  let stage = 0;
  for (L *= 4; L <= n; L *= 4) {
    const m = L >> 2, tw = stages[stage++]!;
    for (let base = 0; base < n; base += L) {
      for (let k = 0, w = 0; k < m; k++, w += 6) {
        const c1 = tw[w]!, s1 = sg * tw[w + 1]!, c2 = tw[w + 2]!, s2 = sg * tw[w + 3]!, c3 = tw[w + 4]!, s3 = sg * tw[w + 5]!;
        const i0 = base + k, i1 = i0 + m, i2 = i1 + m, i3 = i2 + m;
        const ar = re[i0]!, ai = im[i0]!;
        let xr = re[i2]!, xi = im[i2]!;
        const br = xr * c1 - xi * s1, bi = xr * s1 + xi * c1;
        xr = re[i1]!;
        xi = im[i1]!;
        const cr = xr * c2 - xi * s2, ci = xr * s2 + xi * c2;
        xr = re[i3]!;
        xi = im[i3]!;
        const dr = xr * c3 - xi * s3, di = xr * s3 + xi * c3;
        const t0r = ar + cr, t0i = ai + ci, t1r = ar - cr, t1i = ai - ci, t2r = br + dr, t2i = bi + di, t3r = br - dr, t3i = bi - di;
        re[i0] = t0r + t2r;
        im[i0] = t0i + t2i;
        re[i2] = t0r - t2r;
        im[i2] = t0i - t2i;
        re[i1] = t1r + sg * t3i;
        im[i1] = t1i - sg * t3r;
        re[i3] = t1r - sg * t3i;
        im[i3] = t1i + sg * t3r;
      }
    }
  }
}

interface MixedPlan {
  /** The odd factor, 3 or 5. */
  p: number;
  /** cos and −sin of 2πrk/n for r = 1…p − 1, k < n/p, 2(p − 1) values per k. */
  tw: Float64Array;
  /** The p sub-transforms, side by side. */
  sr: Float64Array;
  si: Float64Array;
}

const mixedPlans = new Map<number, MixedPlan>();

function mixedPlan(n: number, p: number): MixedPlan {
  let q = mixedPlans.get(n);
  if (q) return q;
  const M = n / p, tw = new Float64Array(2 * (p - 1) * M);
  for (let k = 0; k < M; k++) {
    for (let r = 1; r < p; r++) {
      const a = (2 * Math.PI * r * k) / n, o = 2 * ((p - 1) * k + r - 1);
      tw[o] = Math.cos(a);
      tw[o + 1] = -Math.sin(a);
    }
  }
  q = { p, tw, sr: new Float64Array(n), si: new Float64Array(n) };
  if (mixedPlans.size > 8) mixedPlans.clear();
  mixedPlans.set(n, q);
  return q;
}

/**
 * n = p·M, M a power of two: X_{k+qM} = Σ_r W_n^{rk} F_r[k] · W_p^{rq}, F_r the length-M
 * transform of x_{r}, x_{p+r}, x_{2p+r}, … (decimation in time by p, then one radix-p pass).
 */
function fftMixed(re: Float64Array, im: Float64Array, inverse: boolean, p: number): void {
  const n = re.length, M = n / p;
  const { tw, sr, si } = mixedPlan(n, p);
  for (let r = 0; r < p; r++) {
    for (let j = 0, i = r; j < M; j++, i += p) {
      sr[r * M + j] = re[i]!;
      si[r * M + j] = im[i]!;
    }
    if (M > 1) fftPow2(sr.subarray(r * M, (r + 1) * M), si.subarray(r * M, (r + 1) * M), inverse);
  }
  const sg = inverse ? -1 : 1;
  if (p === 3) radix3(re, im, sr, si, tw, M, sg);
  else radix5(re, im, sr, si, tw, M, sg);
}

/** X_q = Σ_r t_r ω^{rq}, ω = e^{∓2πi/3}: t₀ + s·(−1/2) ∓ i·(√3/2)·d with s = t₁ + t₂, d = t₁ − t₂. */
function radix3(re: Float64Array, im: Float64Array, sr: Float64Array, si: Float64Array, tw: Float64Array, M: number, sg: number): void {
  const h = sg * Math.sin((2 * Math.PI) / 3);
  for (let k = 0, o = 0; k < M; k++, o += 4) {
    const w1r = tw[o]!, w1i = sg * tw[o + 1]!, w2r = tw[o + 2]!, w2i = sg * tw[o + 3]!;
    let xr = sr[M + k]!, xi = si[M + k]!;
    const t1r = xr * w1r - xi * w1i, t1i = xr * w1i + xi * w1r;
    xr = sr[2 * M + k]!;
    xi = si[2 * M + k]!;
    const t2r = xr * w2r - xi * w2i, t2i = xr * w2i + xi * w2r;
    const t0r = sr[k]!, t0i = si[k]!;
    const sr_ = t1r + t2r, si_ = t1i + t2i, dr = h * (t1r - t2r), di = h * (t1i - t2i);
    const ur = t0r - 0.5 * sr_, ui = t0i - 0.5 * si_;
    re[k] = t0r + sr_;
    im[k] = t0i + si_;
    re[M + k] = ur + di;
    im[M + k] = ui - dr;
    re[2 * M + k] = ur - di;
    im[2 * M + k] = ui + dr;
  }
}

/**
 * X_q = Σ_r t_r ω^{rq}, ω = e^{∓2πi/5}: with a₁ = t₁ + t₄, b₁ = t₁ − t₄, a₂ = t₂ + t₃, b₂ = t₂ − t₃,
 * X₁,₄ = t₀ + c₁a₁ + c₂a₂ ∓ i(s₁b₁ + s₂b₂) and X₂,₃ = t₀ + c₂a₁ + c₁a₂ ∓ i(s₂b₁ − s₁b₂), cₖ, sₖ of 2πk/5.
 */
function radix5(re: Float64Array, im: Float64Array, sr: Float64Array, si: Float64Array, tw: Float64Array, M: number, sg: number): void {
  const c1 = Math.cos((2 * Math.PI) / 5), c2 = Math.cos((4 * Math.PI) / 5), s1 = sg * Math.sin((2 * Math.PI) / 5), s2 = sg * Math.sin((4 * Math.PI) / 5);
  for (let k = 0, o = 0; k < M; k++, o += 8) {
    let xr = sr[M + k]!, xi = si[M + k]!, wr = tw[o]!, wi = sg * tw[o + 1]!;
    const t1r = xr * wr - xi * wi, t1i = xr * wi + xi * wr;
    xr = sr[2 * M + k]!;
    xi = si[2 * M + k]!;
    wr = tw[o + 2]!;
    wi = sg * tw[o + 3]!;
    const t2r = xr * wr - xi * wi, t2i = xr * wi + xi * wr;
    xr = sr[3 * M + k]!;
    xi = si[3 * M + k]!;
    wr = tw[o + 4]!;
    wi = sg * tw[o + 5]!;
    const t3r = xr * wr - xi * wi, t3i = xr * wi + xi * wr;
    xr = sr[4 * M + k]!;
    xi = si[4 * M + k]!;
    wr = tw[o + 6]!;
    wi = sg * tw[o + 7]!;
    const t4r = xr * wr - xi * wi, t4i = xr * wi + xi * wr;
    const t0r = sr[k]!, t0i = si[k]!;
    const a1r = t1r + t4r, a1i = t1i + t4i, b1r = t1r - t4r, b1i = t1i - t4i;
    const a2r = t2r + t3r, a2i = t2i + t3i, b2r = t2r - t3r, b2i = t2i - t3i;
    const u1r = t0r + c1 * a1r + c2 * a2r, u1i = t0i + c1 * a1i + c2 * a2i, v1r = s1 * b1r + s2 * b2r, v1i = s1 * b1i + s2 * b2i;
    const u2r = t0r + c2 * a1r + c1 * a2r, u2i = t0i + c2 * a1i + c1 * a2i, v2r = s2 * b1r - s1 * b2r, v2i = s2 * b1i - s1 * b2i;
    re[k] = t0r + a1r + a2r;
    im[k] = t0i + a1i + a2i;
    // X = u − i·v and u + i·v: −i·v = (v_im, −v_re).
    re[M + k] = u1r + v1i;
    im[M + k] = u1i - v1r;
    re[4 * M + k] = u1r - v1i;
    im[4 * M + k] = u1i + v1r;
    re[2 * M + k] = u2r + v2i;
    im[2 * M + k] = u2i - v2r;
    re[3 * M + k] = u2r - v2i;
    im[3 * M + k] = u2i + v2r;
  }
}

const isPow2 = (n: number): boolean => n >= 1 && (n & (n - 1)) === 0;

/** Forward DFT (X_k = Σ x_j e^{−2πijk/n}), or the inverse without the 1/n factor; n = 2^a, 3·2^a or 5·2^a. */
export function dft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (n <= 1) return;
  if (isPow2(n)) fftPow2(re, im, inverse);
  else if (n % 3 === 0 && isPow2(n / 3)) fftMixed(re, im, inverse, 3);
  else if (n % 5 === 0 && isPow2(n / 5)) fftMixed(re, im, inverse, 5);
  else throw new Error(`dft: length ${n} is not 2^a, 3·2^a or 5·2^a`);
}

/** The smallest power of two ≥ n. */
export function nextPow2(n: number): number {
  let m = 1;
  while (m < n) m <<= 1;
  return m;
}

/**
 * The shortest even length ≥ n that dft transforms: 2^a, 3·2^a or 5·2^a (a ≥ 1). At most 4/3 of
 * n above 4 (the candidates run 2^a, 1.25·2^a, 1.5·2^a, 2^(a+1)); a power of two's is up to 2.
 */
export function transformLength(n: number): number {
  return Math.min(...[1, 3, 5].map((p) => p * Math.max(2, nextPow2(Math.ceil(n / p)))));
}
