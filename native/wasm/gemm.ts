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
