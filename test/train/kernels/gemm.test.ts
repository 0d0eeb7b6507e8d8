/**
 * The GEMM implementations (portable TypeScript, and native when built) against a naive
 * float64 product: every transpose combination, alpha/beta, offsets and padded leading
 * dimensions, edge tiles; and the native binding's argument checks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createJsGemm, type Gemm } from '../../../src/train/kernels/gemm.js';
import { loadNativeGemm } from '../../../src/train/kernels/native.js';
import { loadWasmGemm } from '../../../src/train/kernels/wasm.js';
import { rng } from '../../helpers.js';

function naive(ta: boolean, tb: boolean, M: number, N: number, K: number, alpha: number, A: Float32Array, offA: number, lda: number, B: Float32Array, offB: number, ldb: number, beta: number, C: Float64Array, offC: number, ldc: number): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (ta ? A[offA + k * lda + i]! : A[offA + i * lda + k]!) * (tb ? B[offB + j * ldb + k]! : B[offB + k * ldb + j]!);
      C[offC + i * ldc + j] = alpha * s + beta * C[offC + i * ldc + j]!;
    }
  }
}

function check(g: Gemm, seed: number): void {
  const u = rng(seed);
  for (let trial = 0; trial < 30; trial++) {
    const M = 1 + Math.floor(u() * 40), N = 1 + Math.floor(u() * 70), K = 1 + Math.floor(u() * 300);
    const ta = u() < 0.5, tb = u() < 0.5;
    const lda = (ta ? M : K) + Math.floor(u() * 3), ldb = (tb ? K : N) + Math.floor(u() * 3), ldc = N + Math.floor(u() * 3);
    const offA = Math.floor(u() * 5), offB = Math.floor(u() * 5), offC = Math.floor(u() * 5);
    const A = Float32Array.from({ length: offA + (ta ? K : M) * lda }, () => u() - 0.5);
    const B = Float32Array.from({ length: offB + (tb ? N : K) * ldb }, () => u() - 0.5);
    const C = Float32Array.from({ length: offC + M * ldc }, () => u());
    const want = Float64Array.from(C);
    const alpha = [1, 0.5, -2][trial % 3]!, beta = [0, 1, 0.25][trial % 3]!;
    g.sgemm(ta, tb, M, N, K, alpha, A, offA, lda, B, offB, ldb, beta, C, offC, ldc);
    naive(ta, tb, M, N, K, alpha, A, offA, lda, B, offB, ldb, beta, want, offC, ldc);
    for (let i = 0; i < C.length; i++) {
      const inside = i >= offC && (i - offC) % ldc < N;
      // outside the M×N window (padding, offsets) nothing may change
      assert.ok(Math.abs(C[i]! - want[i]!) <= (inside ? 1e-4 * Math.sqrt(K) : 0), `${g.name} trial ${trial} (${M}×${N}×${K}, ${ta}/${tb}) at ${i}: ${C[i]} vs ${want[i]}`);
    }
  }
}

describe('GEMM', () => {
  it('portable TypeScript GEMM matches the naive product', () => check(createJsGemm(), 1));
  for (const isa of ['auto', 'avx2', 'generic'] as const) {
    it(`native GEMM (${isa}) matches the naive product`, (t) => {
      const n = loadNativeGemm(2, isa);
      if (!n.gemm) return t.skip(`native kernels unavailable: ${n.reason}`);
      check(n.gemm, 2);
    });
  }
  for (const relaxed of [true, false]) it(`WebAssembly SIMD GEMM (2 threads${relaxed ? ', relaxed FMA where this Node runs it' : ', plain SIMD'}) matches the naive product, small and split products alike`, async () => {
    const w = loadWasmGemm(2, relaxed);
    // Built by npm ci on every machine (no toolchain needed): missing is a failure, not a skip.
    assert.ok(w.gemm, w.gemm ? '' : w.reason);
    // Node 20 runs relaxed SIMD behind a V8 flag that loadWasmGemm sets, later Nodes as shipped
    if (relaxed) assert.match(w.gemm.name, /relaxed FMA/);
    else assert.doesNotMatch(w.gemm.name, /relaxed/);
    check(w.gemm, 3); // before the helper is up: this thread alone
    await new Promise((r) => setTimeout(r, 500));
    check(w.gemm, 4);
    const u = rng(5);
    // large enough to be split across the threads, with padded leading dimensions
    const M = 70, N = 333, K = 300;
    const A = Float32Array.from({ length: K * (M + 1) }, () => u() - 0.5), B = Float32Array.from({ length: N * (K + 2) }, () => u() - 0.5);
    const C = Float32Array.from({ length: M * (N + 3) }, () => u()), want = Float64Array.from(C);
    w.gemm.sgemm(true, true, M, N, K, 1, A, 0, M + 1, B, 0, K + 2, 1, C, 0, N + 3);
    naive(true, true, M, N, K, 1, A, 0, M + 1, B, 0, K + 2, 1, want, 0, N + 3);
    for (let i = 0; i < C.length; i++) assert.ok(Math.abs(C[i]! - want[i]!) < 1e-3, `at ${i}`);
  });
  it('native GEMM refuses operands that do not fit their arrays (a RangeError, not a crash)', (t) => {
    const n = loadNativeGemm(1);
    if (!n.gemm) return t.skip(`native kernels unavailable: ${n.reason}`);
    const a = new Float32Array(99), b = new Float32Array(100), c = new Float32Array(100);
    assert.throws(() => n.gemm.sgemm(false, false, 10, 10, 10, 1, a, 0, 10, b, 0, 10, 0, c, 0, 10), RangeError);
    assert.throws(() => n.gemm.sgemm(false, false, 10, 10, 10, 1, b, 1, 10, b, 0, 10, 0, c, 0, 10), RangeError);
    assert.throws(() => n.gemm.sgemm(false, false, 10, 10, 10, 1, b, 0, 9, b, 0, 10, 0, c, 0, 10), RangeError); // ld < columns
    assert.throws(() => n.gemm.sgemm(false, false, 2, 2, 2, 1, new Float64Array(4) as unknown as Float32Array, 0, 2, b, 0, 2, 0, c, 0, 2), TypeError);
  });
});
