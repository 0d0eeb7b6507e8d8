/**
 * The WebAssembly kernel set's threads and what they run: the control block shared by the
 * calling thread and its helpers (wasm-worker.ts), and each operation's slice of the work.
 * The GEMM, softmax, GELU and AdamW are the AssemblyScript kernels (native/wasm/gemm.ts:
 * softmax and GELU through a vectorised exp, as the native ones; AdamW with js.ts's float64
 * arithmetic, the same bits) over a slice of C's columns, of rows or of elements; the
 * cross-entropy gradient and sums of squares are the TypeScript ones (js.ts) on views of the
 * shared memory. Every slice computes what one thread would: element
 * by element the same arithmetic, sums per slice then added (sums of squares and the loss in
 * float64; summation order only).
 */
import * as Ref from './js.js';

/** Int32 slots of the control block: sequence number, helpers done, helpers ready, operation, integer arguments. */
export const SEQ = 0, DONE = 1, READY = 2, OP = 3, ARGS = 4, NARGS = 16;
/** Float64 slots: arguments, then two per thread for results. */
export const NFARGS = 16;
/** Columns per GEMM slice are a multiple of the micro-kernel's 8; element slices of 16 floats (a cache line). */
export const NR = 8, ALIGN = 16;

export const Op = { Sgemm: 0, Adamw: 1, SumSquares: 2, GeluForward: 3, GeluBackward: 4, SoftmaxXent: 5, XentBackward: 6 } as const;

/** native/wasm/gemm.ts's exports; pointers are byte offsets into the shared memory. */
export interface WasmExports {
  sgemm(ta: number, tb: number, M: number, N: number, K: number, alpha: number, A: number, lda: number, B: number, ldb: number, beta: number, C: number, ldc: number, j0: number, j1: number, work: number): void;
  softmaxRows(p: number, rows: number, V: number): void;
  geluForward(out: number, inp: number, n: number): void;
  geluBackward(dinp: number, inp: number, dout: number, n: number): void;
  adamw(w: number, g: number, m: number, v: number, n: number, beta1: number, beta2: number, eps: number, shrink: number, stepSize: number, sqrtBc2: number, gradScale: number): void;
}

export interface Shared {
  ctrl: Int32Array;
  /** Float arguments and per-thread results. */
  f64: Float64Array;
  memory: WebAssembly.Memory;
  wasm: WasmExports;
  threads: number;
  workBytes: number;
}

/** [start, end) of thread t's share of n units, in multiples of `unit`. */
export function slice(n: number, t: number, threads: number, unit: number): [number, number] {
  const cut = (k: number): number => Math.min(n, Math.round((Math.ceil(n / unit) * k) / threads) * unit);
  return [cut(t), cut(t + 1)];
}

/** Thread t's part of the operation in the control block (byte offsets into the shared memory). */
export function runSlice(s: Shared, t: number): void {
  // Byte offsets past 2 GiB come back from the Int32 slots negative: >>> 0 where JavaScript uses them.
  const a = s.ctrl.subarray(ARGS, ARGS + NARGS), f = s.f64, buf = s.memory.buffer;
  const f32 = (at: number, from: number, n: number): Float32Array => new Float32Array(buf, (at >>> 0) + 4 * from, n);
  const i32 = (at: number, from: number, n: number): Int32Array => new Int32Array(buf, (at >>> 0) + 4 * from, n);
  const res = NFARGS + 2 * t;
  switch (Atomics.load(s.ctrl, OP)) {
    case Op.Sgemm: {
      const [j0, j1] = slice(a[3]!, t, s.threads, NR);
      if (j1 > j0) s.wasm.sgemm(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, f[0]!, a[5]!, a[6]!, a[7]!, a[8]!, f[1]!, a[9]!, a[10]!, j0, j1, t * s.workBytes);
      return;
    }
    case Op.Adamw: {
      const [i0, i1] = slice(a[4]!, t, s.threads, ALIGN), n = i1 - i0;
      if (n > 0) s.wasm.adamw(a[0]! + 4 * i0, a[1]! + 4 * i0, a[2]! + 4 * i0, a[3]! + 4 * i0, n, f[0]!, f[1]!, f[2]!, f[3]!, f[4]!, f[5]!, f[6]!);
      return;
    }
    case Op.SumSquares: {
      const [i0, i1] = slice(a[1]!, t, s.threads, ALIGN);
      f[res] = i1 > i0 ? Ref.sumSquares(f32(a[0]!, i0, i1 - i0)) : 0;
      return;
    }
    case Op.GeluForward: {
      const [i0, i1] = slice(a[2]!, t, s.threads, ALIGN), n = i1 - i0;
      if (n > 0) s.wasm.geluForward(a[0]! + 4 * i0, a[1]! + 4 * i0, n);
      return;
    }
    case Op.GeluBackward: {
      const [i0, i1] = slice(a[3]!, t, s.threads, ALIGN), n = i1 - i0;
      if (n > 0) s.wasm.geluBackward(a[0]! + 4 * i0, a[1]! + 4 * i0, a[2]! + 4 * i0, n);
      return;
    }
    case Op.SoftmaxXent: {
      // logits, targets, rows, V, ignore
      const [r0, r1] = slice(a[2]!, t, s.threads, 1), V = a[3]!, ignore = a[4]!;
      if (r1 > r0) s.wasm.softmaxRows(a[0]! + 4 * r0 * V, r1 - r0, V);
      const probs = f32(a[0]!, r0 * V, (r1 - r0) * V), targets = i32(a[1]!, r0, r1 - r0);
      let loss = 0, count = 0;
      for (let r = 0; r < r1 - r0; r++) {
        const tg = targets[r]!;
        if (tg === ignore) continue;
        loss -= Math.log(probs[r * V + tg]!);
        count++;
      }
      f[res] = loss;
      f[res + 1] = count;
      return;
    }
    case Op.XentBackward: {
      // probs, targets, rows, V, ignore, dlogits; f[0] count
      const [r0, r1] = slice(a[2]!, t, s.threads, 1), V = a[3]!, m = (r1 - r0) * V;
      if (r1 > r0) Ref.xentBackward(f32(a[0]!, r0 * V, m), i32(a[1]!, r0, r1 - r0), r1 - r0, V, a[4]!, f32(a[5]!, r0 * V, m), f[0]!);
      return;
    }
  }
}
