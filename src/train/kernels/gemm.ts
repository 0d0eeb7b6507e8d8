/**
 * The GEMM contract every kernel set implements, and its portable TypeScript implementation.
 * Row-major: C[M,N] = alpha · op(A)[M,K] · op(B)[K,N] + beta · C, where op transposes when
 * asked; each operand is a Float32Array with an element offset and a leading dimension, so
 * sub-matrices (one attention head inside the fused qkv buffer) need no copies.
 */
export interface Gemm {
  /** Which implementation, e.g. 'native (avx512, 2 threads)'. */
  readonly name: string;
  sgemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    A: Float32Array, offA: number, lda: number,
    B: Float32Array, offB: number, ldb: number,
    beta: number, C: Float32Array, offC: number, ldc: number,
  ): void;
}

/** K-block: keeps one block of packed B rows in cache while every row of A passes over it. */
const KB = 128;

/**
 * Portable GEMM: op(A) and op(B) are packed into contiguous row-major scratch (O(MK + KN)
 * copies against O(MNK) work), then four rows of C are updated per pass over a B row so each
 * loaded B element feeds four multiply-adds.
 */
export function createJsGemm(): Gemm {
  let aBuf = new Float32Array(0);
  let bBuf = new Float32Array(0);
  let cRow = new Float64Array(0);
  return {
    name: 'js (portable TypeScript, 1 thread)',
    sgemm(transA, transB, M, N, K, alpha, A, offA, lda, B, offB, ldb, beta, C, offC, ldc) {
      if (aBuf.length < M * KB) aBuf = new Float32Array(M * KB);
      if (bBuf.length < KB * N) bBuf = new Float32Array(KB * N);
      if (cRow.length < 4 * N) cRow = new Float64Array(4 * N);
      for (let i = 0; i < M; i++) {
        const c0 = offC + i * ldc;
        if (beta === 0) C.fill(0, c0, c0 + N);
        else if (beta !== 1) for (let j = 0; j < N; j++) C[c0 + j]! *= beta;
      }
      for (let k0 = 0; k0 < K; k0 += KB) {
        const kb = Math.min(KB, K - k0);
        for (let k = 0; k < kb; k++) {
          for (let j = 0; j < N; j++) bBuf[k * N + j] = transB ? B[offB + j * ldb + k0 + k]! : B[offB + (k0 + k) * ldb + j]!;
        }
        for (let i = 0; i < M; i++) {
          for (let k = 0; k < kb; k++) aBuf[i * kb + k] = alpha * (transA ? A[offA + (k0 + k) * lda + i]! : A[offA + i * lda + k0 + k]!);
        }
        let i = 0;
        for (; i + 4 <= M; i += 4) {
          cRow.fill(0, 0, 4 * N);
          for (let k = 0; k < kb; k++) {
            const a0 = aBuf[i * kb + k]!, a1 = aBuf[(i + 1) * kb + k]!, a2 = aBuf[(i + 2) * kb + k]!, a3 = aBuf[(i + 3) * kb + k]!;
            const b0 = k * N;
            for (let j = 0; j < N; j++) {
              const b = bBuf[b0 + j]!;
              cRow[j]! += a0 * b;
              cRow[N + j]! += a1 * b;
              cRow[2 * N + j]! += a2 * b;
              cRow[3 * N + j]! += a3 * b;
            }
          }
          for (let r = 0; r < 4; r++) {
            const c0 = offC + (i + r) * ldc;
            for (let j = 0; j < N; j++) C[c0 + j]! += cRow[r * N + j]!;
          }
        }
        for (; i < M; i++) {
          const c0 = offC + i * ldc;
          for (let k = 0; k < kb; k++) {
            const a = aBuf[i * kb + k]!;
            const b0 = k * N;
            for (let j = 0; j < N; j++) C[c0 + j]! += a * bBuf[b0 + j]!;
          }
        }
      }
    },
  };
}
