/**
 * One core's load: in every control period (100 ms) it computes for duty × period, then
 * sleeps for the rest, so the core's utilization follows the duty set by the main thread.
 * The computation is single-precision matrix products through rle's native GEMM (AVX-512 /
 * AVX2 FMA: the instructions that draw the most power) or its WebAssembly SIMD GEMM, in
 * chunks of well under a millisecond so the duty is met closely.
 */
import { workerData } from 'node:worker_threads';
import { loadNativeGemm } from '../train/kernels/native.js';
import { createJsGemm, type Gemm } from '../train/kernels/gemm.js';
import { loadWasmGemm } from '../train/kernels/wasm.js';

interface Data {
  ctrl: Int32Array;
  duty: Float64Array;
  /** [busy ms, elapsed ms] per worker, for the main thread to read. */
  stats: Float64Array;
  index: number;
  periodMs: number;
}

const STOP = 0;
const { ctrl, duty, stats, index, periodMs } = workerData as Data;

function gemm(): Gemm {
  const n = loadNativeGemm(1);
  if (n.gemm) return n.gemm;
  const w = loadWasmGemm(1);
  return w.gemm ?? createJsGemm();
}

const g = gemm();
const N = 96;
const A = Float32Array.from({ length: N * N }, (_, i) => ((i * 7) % 13) / 13 - 0.5);
const B = Float32Array.from({ length: N * N }, (_, i) => ((i * 5) % 11) / 11 - 0.5);
const C = new Float32Array(N * N);
const chunk = (): void => g.sgemm(false, false, N, N, N, 1, A, 0, N, B, 0, N, 0, C, 0, N);

while (Atomics.load(ctrl, STOP) === 0) {
  const start = performance.now();
  const d = Math.min(1, Math.max(0, duty[index]!));
  const busyUntil = start + d * periodMs;
  while (performance.now() < busyUntil) chunk();
  const busyEnd = performance.now();
  const rest = start + periodMs - busyEnd;
  if (rest > 0) Atomics.wait(ctrl, STOP, 0, rest);
  // Written only by this worker, read by the main thread: a torn read costs one period's accuracy.
  stats[2 * index] = stats[2 * index]! + (d > 0 ? busyEnd - start : 0);
  stats[2 * index + 1] = stats[2 * index + 1]! + (performance.now() - start);
}
