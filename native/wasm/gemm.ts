// SGEMM for WebAssembly SIMD (AssemblyScript), the portable fast path of the trainer's kernels.
// Same contract and BLIS-style blocking as native/sgemm.c, on 128-bit vectors: a 4 x 8
// micro-kernel (8 accumulators, 2 B vectors and 1 broadcast live: fits the 16 vector registers
// of x86-64 without spills). Row-major C[M,N] = alpha * op(A) * op(B) + beta * C, computed for
// the column range [j0, j1) so several threads can share one product. All pointers are byte
// offsets into the (shared) linear memory; `work` is this thread's packing scratch, WORK_BYTES.
// Built twice (package.json build:wasm): plain SIMD, and with relaxed SIMD, whose multiply-add
// is one fused instruction where the CPU has FMA (one rounding instead of two) — 8 instructions
// a k step fewer out of ~30 in V8's code for this loop, which is what bounds it.

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 128;
const NC: i32 = 2048;

export const WORK_BYTES: i32 = ((MC + MR) * KC + (NC + NR) * KC + MR * NR) * 4;

@inline function at(p: usize, row: i32, col: i32, ld: i32): usize {
  return p + ((<usize>row * <usize>ld + <usize>col) << 2);
}

function packA(A: usize, lda: i32, ta: bool, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const m = min(mc - ir, MR);
    for (let k = 0; k < kc; k++) {
      for (let i = 0; i < MR; i++) {
        let v: f32 = 0;
        if (i < m) v = ta ? load<f32>(at(A, p0 + k, i0 + ir + i, lda)) : load<f32>(at(A, i0 + ir + i, p0 + k, lda));
        store<f32>(dst, v);
        dst += 4;
      }
    }
  }
}

function packB(B: usize, ldb: i32, tb: bool, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const n = min(nc - jr, NR);
    if (!tb && n == NR) {
      for (let k = 0; k < kc; k++) {
        const src = at(B, p0 + k, j0 + jr, ldb);
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        dst += NR << 2;
      }
      continue;
    }
    for (let k = 0; k < kc; k++) {
      for (let j = 0; j < NR; j++) {
        let v: f32 = 0;
        if (j < n) v = tb ? load<f32>(at(B, j0 + jr + j, p0 + k, ldb)) : load<f32>(at(B, p0 + k, j0 + jr + j, ldb));
        store<f32>(dst, v);
        dst += 4;
      }
    }
  }
}

@inline function put(c: usize, acc: v128, alpha: v128, beta: f32): void {
  if (beta == 0) v128.store(c, f32x4.mul(acc, alpha));
  else v128.store(c, f32x4.add(f32x4.mul(acc, alpha), f32x4.mul(v128.load(c), f32x4.splat(beta))));
}

/** acc + x·b: fused where relaxed SIMD is compiled in (and the CPU has FMA), else a multiply and an add. */
@inline function madd(acc: v128, x: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, b, acc);
  return f32x4.add(acc, f32x4.mul(x, b));
}

function micro(kc: i32, a: usize, b: usize, c: usize, ldc: i32, alpha: f32, beta: f32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(c00, x, b0); c01 = madd(c01, x, b1);
    x = v128.load32_splat(a, 4);
    c10 = madd(c10, x, b0); c11 = madd(c11, x, b1);
    x = v128.load32_splat(a, 8);
    c20 = madd(c20, x, b0); c21 = madd(c21, x, b1);
    x = v128.load32_splat(a, 12);
    c30 = madd(c30, x, b0); c31 = madd(c31, x, b1);
    a += MR << 2;
    b += NR << 2;
  }
  const va = f32x4.splat(alpha);
  const row = <usize>ldc << 2;
  put(c, c00, va, beta); put(c + 16, c01, va, beta); c += row;
  put(c, c10, va, beta); put(c + 16, c11, va, beta); c += row;
  put(c, c20, va, beta); put(c + 16, c21, va, beta); c += row;
  put(c, c30, va, beta); put(c + 16, c31, va, beta);
}

export function sgemm(ta: bool, tb: bool, M: i32, N: i32, K: i32, alpha: f32, A: usize, lda: i32, B: usize, ldb: i32,
                      beta: f32, C: usize, ldc: i32, j0: i32, j1: i32, work: usize): void {
  const pa = work;
  const pb = work + (<usize>((MC + MR) * KC) << 2);
  const tmp = pb + (<usize>((NC + NR) * KC) << 2);
  if (K <= 0) {
    for (let i = 0; i < M; i++) for (let j = j0; j < j1; j++) {
      const p = at(C, i, j, ldc);
      store<f32>(p, beta == 0 ? <f32>0 : beta * load<f32>(p));
    }
    return;
  }
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(j1 - jc, NC);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(K - pc, KC);
      const bt: f32 = pc == 0 ? beta : 1;
      packB(B, ldb, tb, pc, jc, kc, nc, pb);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(M - ic, MC);
        packA(A, lda, ta, ic, pc, mc, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const n = min(nc - jr, NR);
          for (let ir = 0; ir < mc; ir += MR) {
            const m = min(mc - ir, MR);
            const c = at(C, ic + ir, jc + jr, ldc);
            const a = pa + (<usize>(ir * kc) << 2), b = pb + (<usize>(jr * kc) << 2);
            if (m == MR && n == NR) {
              micro(kc, a, b, c, ldc, alpha, bt);
            } else {
              micro(kc, a, b, tmp, NR, 1, 0);
              for (let i = 0; i < m; i++) for (let q = 0; q < n; q++) {
                const p = at(c, i, q, ldc);
                const v = alpha * load<f32>(tmp + (<usize>(i * NR + q) << 2));
                store<f32>(p, bt == 0 ? v : v + bt * load<f32>(p));
              }
            }
          }
        }
      }
    }
  }
}

// ---- element-wise kernels with a vectorised exp (the trainer's softmax and GELU) ----

@inline function nmadd(acc: v128, x: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_nmadd(x, b, acc);
  return f32x4.sub(acc, f32x4.mul(x, b));
}

/**
 * Cephes' expf on four lanes, as native/simd.h's rle_exp8: x = n·ln2 + r, |r| ≤ ln2/2, a
 * degree-6 polynomial for e^r, 2^n from the exponent bits; relative error below 2.4e-7 over
 * [-87.3, 88.4], inputs clamped to it (e^-100 ≈ 1.2e-38, never 0 or infinity).
 */
@inline function exp4(x: v128): v128 {
  x = f32x4.max(f32x4.min(x, f32x4.splat(88.3762626647949)), f32x4.splat(-87.3365447505531));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = nmadd(x, n, f32x4.splat(0.693359375));
  r = nmadd(r, n, f32x4.splat(-2.12194440e-4));
  let p = f32x4.splat(1.9875691500e-4);
  p = madd(f32x4.splat(1.3981999507e-3), p, r);
  p = madd(f32x4.splat(8.3334519073e-3), p, r);
  p = madd(f32x4.splat(4.1665795894e-2), p, r);
  p = madd(f32x4.splat(1.6666665459e-1), p, r);
  p = madd(f32x4.splat(5.0000001201e-1), p, r);
  p = madd(f32x4.add(r, f32x4.splat(1)), p, f32x4.mul(r, r));
  const e = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, e);
}

@inline function lane(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** Rows [0, rows) of V floats at p → their softmax in place (sums of ≤ 512 lanes in float, then in double). */
export function softmaxRows(p: usize, rows: i32, V: i32): void {
  const n4 = V & ~3;
  for (let row = 0; row < rows; row++) {
    const x = p + (<usize>row * <usize>V << 2);
    let mx = f32x4.splat(-Infinity);
    for (let v = 0; v < n4; v += 4) mx = f32x4.max(mx, v128.load(lane(x, v)));
    let m = max(max(f32x4.extract_lane(mx, 0), f32x4.extract_lane(mx, 1)), max(f32x4.extract_lane(mx, 2), f32x4.extract_lane(mx, 3)));
    for (let v = n4; v < V; v++) m = max(m, load<f32>(lane(x, v)));
    const mv = f32x4.splat(m);
    let sum: f64 = 0;
    let v = 0;
    while (v < n4) {
      const end = min(v + 512, n4);
      let s = f32x4.splat(0);
      for (; v < end; v += 4) {
        const e = exp4(f32x4.sub(v128.load(lane(x, v)), mv));
        v128.store(lane(x, v), e);
        s = f32x4.add(s, e);
      }
      sum += <f64>f32x4.extract_lane(s, 0) + <f64>f32x4.extract_lane(s, 1) + <f64>f32x4.extract_lane(s, 2) + <f64>f32x4.extract_lane(s, 3);
    }
    for (; v < V; v++) {
      const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(lane(x, v)) - m)), 0);
      store<f32>(lane(x, v), e);
      sum += <f64>e;
    }
    const invf = <f32>(1.0 / sum), inv = f32x4.splat(invf);
    for (v = 0; v < n4; v += 4) v128.store(lane(x, v), f32x4.mul(v128.load(lane(x, v)), inv));
    for (; v < V; v++) store<f32>(lane(x, v), load<f32>(lane(x, v)) * invf);
  }
}

// GELU (tanh form) through 0.5·(1 + tanh u) = 1 / (1 + e^(−2u)), u = √(2/π)·(x + 0.044715·x³).
const GELU_S: f32 = 0.7978845608028654;

@inline function sigmoid2u(x: v128): v128 {
  const x3 = f32x4.mul(f32x4.mul(x, x), x);
  const u = f32x4.mul(f32x4.splat(GELU_S), madd(x, f32x4.splat(0.044715), x3));
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), exp4(f32x4.mul(u, f32x4.splat(-2)))));
}

/** out[i] = gelu(inp[i]) for i < n. */
export function geluForward(out: usize, inp: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const x = v128.load(lane(inp, i));
    v128.store(lane(out, i), f32x4.mul(x, sigmoid2u(x)));
  }
  for (; i < n; i++) {
    const x = f32x4.splat(load<f32>(lane(inp, i)));
    store<f32>(lane(out, i), f32x4.extract_lane(f32x4.mul(x, sigmoid2u(x)), 0));
  }
}

/** dinp[i] += gelu'(inp[i]) · dout[i]: s + x·2s(1 − s)·√(2/π)·(1 + 3·0.044715·x²), s = sigmoid(2u). */
@inline function geluGrad(x: v128, g: v128): v128 {
  const s = sigmoid2u(x);
  const one = f32x4.splat(1);
  const inner = f32x4.mul(f32x4.splat(GELU_S), madd(one, f32x4.splat(3 * 0.044715), f32x4.mul(x, x)));
  const d = madd(s, f32x4.mul(f32x4.mul(x, f32x4.splat(2)), f32x4.mul(s, f32x4.sub(one, s))), inner);
  return f32x4.mul(d, g);
}

export function geluBackward(dinp: usize, inp: usize, dout: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) v128.store(lane(dinp, i), f32x4.add(v128.load(lane(dinp, i)), geluGrad(v128.load(lane(inp, i)), v128.load(lane(dout, i)))));
  for (; i < n; i++) {
    const g = geluGrad(f32x4.splat(load<f32>(lane(inp, i))), f32x4.splat(load<f32>(lane(dout, i))));
    store<f32>(lane(dinp, i), load<f32>(lane(dinp, i)) + f32x4.extract_lane(g, 0));
  }
}

// ---- AdamW, two lanes of float64 at a time ----

/**
 * kernels/js.ts adamw's arithmetic exactly — float64 per element, the same operations in the
 * same order (WebAssembly never fuses a multiply-add), stored back as float32 — so the same
 * bits, two elements per instruction. gradScale ≠ 1: the scaled gradient rounded to float32
 * first, as Math.fround there.
 */
export function adamw(w: usize, g: usize, m: usize, v: usize, n: i32, beta1: f64, beta2: f64, eps: f64, shrink: f64, stepSize: f64, sqrtBc2: f64, gradScale: f64): void {
  const c1 = 1 - beta1, c2 = 1 - beta2;
  const B1 = f64x2.splat(beta1), B2 = f64x2.splat(beta2), C1 = f64x2.splat(c1), C2 = f64x2.splat(c2);
  const E = f64x2.splat(eps), SH = f64x2.splat(shrink), ST = f64x2.splat(stepSize), SB = f64x2.splat(sqrtBc2), GS = f64x2.splat(gradScale);
  const scaled = gradScale != 1;
  const n2 = n & ~1;
  let i = 0;
  for (; i < n2; i += 2) {
    const o = <usize>i << 2;
    let gj = f64x2.promote_low_f32x4(v128.load64_zero(g + o));
    if (scaled) gj = f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(f64x2.mul(gj, GS)));
    const mj = f64x2.add(f64x2.mul(B1, f64x2.promote_low_f32x4(v128.load64_zero(m + o))), f64x2.mul(C1, gj));
    const vj = f64x2.add(f64x2.mul(B2, f64x2.promote_low_f32x4(v128.load64_zero(v + o))), f64x2.mul(f64x2.mul(C2, gj), gj));
    v128.store64_lane(m + o, f32x4.demote_f64x2_zero(mj), 0);
    v128.store64_lane(v + o, f32x4.demote_f64x2_zero(vj), 0);
    const wj = f64x2.promote_low_f32x4(v128.load64_zero(w + o));
    const upd = f64x2.div(f64x2.mul(ST, mj), f64x2.add(f64x2.div(f64x2.sqrt(vj), SB), E));
    v128.store64_lane(w + o, f32x4.demote_f64x2_zero(f64x2.sub(f64x2.mul(wj, SH), upd)), 0);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let gj = <f64>load<f32>(g + o);
    if (scaled) gj = <f64><f32>(gj * gradScale);
    const mj = beta1 * <f64>load<f32>(m + o) + c1 * gj;
    const vj = beta2 * <f64>load<f32>(v + o) + c2 * gj * gj;
    store<f32>(m + o, <f32>mj);
    store<f32>(v + o, <f32>vj);
    store<f32>(w + o, <f32>(<f64>load<f32>(w + o) * shrink - (stepSize * mj) / (Math.sqrt(vj) / sqrtBc2 + eps)));
  }
}
