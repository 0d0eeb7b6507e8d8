/**
 * The WebAssembly SIMD kernel set: native/wasm/gemm.ts (AssemblyScript, built by `npm ci`
 * into dist/wasm/gemm.wasm) on a shared WebAssembly.Memory, run by this thread and helper
 * worker threads that each compute a slice of C's columns. Operands are copied into the
 * shared memory (O(MK + KN + MN) against O(MNK) work) because the model's arrays live in
 * ordinary JavaScript memory; a product below PARALLEL_MACS runs on this thread alone.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Gemm } from './gemm.js';
import { PKG_ROOT } from '../../package-root.js';

/** Beside the compiled TypeScript (node-gyp's rebuild wipes build/, so not there). */
export const WASM_PATH = join(PKG_ROOT, 'dist', 'wasm', 'gemm.wasm');

type SgemmFn = (ta: number, tb: number, M: number, N: number, K: number, alpha: number, A: number, lda: number, B: number, ldb: number, beta: number, C: number, ldc: number, j0: number, j1: number, work: number) => void;

/** Control block (Int32 slots) shared with the helpers. */
const SEQ = 0, DONE = 1, READY = 2, ARGS = 3, NARGS = 16;
const PAGE = 65536;
const PARALLEL_MACS = 1 << 21;
/** Columns per slice are a multiple of the micro-kernel's 8. */
const NR = 8;

export type WasmLoad = { gemm: Gemm } | { gemm: null; reason: string };

export function loadWasmGemm(threads: number): WasmLoad {
  if (!fs.existsSync(WASM_PATH)) return { gemm: null, reason: `WebAssembly kernels were not built (no ${WASM_PATH})` };
  let module: WebAssembly.Module;
  let memory: WebAssembly.Memory;
  let sgemm: SgemmFn;
  let workBytes: number;
  try {
    module = new WebAssembly.Module(fs.readFileSync(WASM_PATH));
    memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
    const inst = new WebAssembly.Instance(module, { env: { memory } });
    sgemm = inst.exports.sgemm as SgemmFn;
    workBytes = (inst.exports.WORK_BYTES as WebAssembly.Global).value as number;
  } catch (err) {
    return { gemm: null, reason: `WebAssembly kernels failed to load: ${(err as Error).message}` };
  }
  const ctrl = new Int32Array(new SharedArrayBuffer(4 * (ARGS + NARGS)));
  const fargs = new Float32Array(ctrl.buffer, 4 * ARGS, NARGS);
  const helpers: Worker[] = [];
  for (let i = 1; i < threads; i++) {
    const w = new Worker(new URL('./wasm-worker.js', import.meta.url), { workerData: { module, memory, ctrl, index: i, threads, workBytes } });
    w.unref(); // idle helpers never keep the process alive
    helpers.push(w);
  }
  const align = (n: number): number => Math.ceil(n / 64) * 64;
  const ensure = (bytes: number): void => {
    const need = Math.ceil(bytes / PAGE) - memory.buffer.byteLength / PAGE;
    if (need > 0) memory.grow(need);
  };
  // Copies a rows × cols matrix with leading dimension ld into the shared memory, contiguous.
  const put = (heap: Float32Array, at: number, src: Float32Array, off: number, rows: number, cols: number, ld: number): void => {
    if (ld === cols) heap.set(src.subarray(off, off + rows * cols), at);
    else for (let r = 0; r < rows; r++) heap.set(src.subarray(off + r * ld, off + r * ld + cols), at + r * cols);
  };
  const gemm: Gemm = {
    name: `wasm (SIMD, ${threads} thread${threads === 1 ? '' : 's'})`,
    sgemm(ta, tb, M, N, K, alpha, A, offA, lda, B, offB, ldb, beta, C, offC, ldc) {
      const [ra, ca] = ta ? [K, M] : [M, K];
      const [rb, cb] = tb ? [N, K] : [K, N];
      const pWork = 0;
      const pA = align(threads * workBytes);
      const pB = align(pA + 4 * ra * ca);
      const pC = align(pB + 4 * rb * cb);
      ensure(pC + 4 * M * N);
      const heap = new Float32Array(memory.buffer);
      put(heap, pA / 4, A, offA, ra, ca, lda);
      put(heap, pB / 4, B, offB, rb, cb, ldb);
      if (beta !== 0) put(heap, pC / 4, C, offC, M, N, ldc);
      // Helpers join once started (tens of ms); until then this thread works alone.
      const parallel = helpers.length > 0 && Atomics.load(ctrl, READY) === helpers.length && M * N * K >= PARALLEL_MACS && N >= NR * threads;
      const slices = parallel ? threads : 1;
      const cut = (t: number): number => Math.min(N, Math.round((Math.ceil(N / NR) * t) / slices) * NR);
      if (parallel) {
        const a = [ta ? 1 : 0, tb ? 1 : 0, M, N, K, 0, pA, ca, pB, cb, 0, pC, N, pWork, workBytes];
        a.forEach((v, i) => (ctrl[ARGS + i] = v));
        fargs[5] = alpha;
        fargs[10] = beta;
        Atomics.store(ctrl, DONE, 0);
        Atomics.add(ctrl, SEQ, 1);
        Atomics.notify(ctrl, SEQ);
      }
      sgemm(ta ? 1 : 0, tb ? 1 : 0, M, N, K, alpha, pA, ca, pB, cb, beta, pC, N, 0, cut(1), pWork);
      if (parallel) {
        for (let done = Atomics.load(ctrl, DONE); done < helpers.length; done = Atomics.load(ctrl, DONE)) Atomics.wait(ctrl, DONE, done, 1000);
      }
      const out = new Float32Array(memory.buffer, pC, M * N);
      if (ldc === N) C.set(out, offC);
      else for (let r = 0; r < M; r++) C.set(out.subarray(r * N, (r + 1) * N), offC + r * ldc);
    },
  };
  return { gemm };
}
