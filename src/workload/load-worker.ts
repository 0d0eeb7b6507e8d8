/**
 * One core's load: in every control period (100 ms) it computes for duty × period, then
 * sleeps for the rest, so the core's utilization follows the duty set by the main thread
 * (duty × period of this thread's own CPU time where Linux gives it, thread-cpu.ts).
 * The computation is single-precision matrix products through rle's native GEMM (AVX-512 /
 * AVX2 FMA: the instructions that draw the most power) or its WebAssembly SIMD GEMM, in
 * chunks of well under a millisecond so the duty is met closely.
 */
import { workerData } from 'node:worker_threads';
import { loadNativeGemm } from '../train/kernels/native.js';
import { createJsGemm, type Gemm } from '../train/kernels/gemm.js';
import { loadWasmGemm } from '../train/kernels/wasm.js';
import { STATS } from './cpu-load.js';
import { threadClock } from './thread-cpu.js';

interface Data {
  ctrl: Int32Array;
  duty: Float64Array;
  /** [ms on a CPU, ms elapsed, ms asleep] per worker (STATS slots), for the main thread to read. */
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

// Busy time is this thread's CPU time where Linux gives it (thread-cpu.ts): under contention
// the worker computes until it has had duty × period on a CPU, so it gets its share if the
// scheduler can give it, and reports what it got. It gives up on the rest after twice that in
// wall time (or the period), so on a machine too busy to give it half of what it asks the load
// still keeps the pattern's shape instead of asking for every core all the time.
const clock = threadClock();
while (Atomics.load(ctrl, STOP) === 0) {
  const start = performance.now();
  const cpu0 = clock.nowMs();
  const d = Math.min(1, Math.max(0, duty[index]!));
  const busyMs = d * periodMs, periodEnd = start + periodMs, busyEnd = start + Math.min(periodMs, 2 * busyMs);
  if (d > 0) do chunk(); while (clock.nowMs() - cpu0 < busyMs && performance.now() < busyEnd);
  const busy = d > 0 ? clock.nowMs() - cpu0 : 0;
  const sleep0 = performance.now();
  const rest = periodEnd - sleep0;
  if (rest > 0) Atomics.wait(ctrl, STOP, 0, rest);
  const end = performance.now();
  // Written only by this worker, read by the main thread: a torn read costs one period's accuracy.
  const at = STATS * index;
  stats[at] = stats[at]! + busy;
  stats[at + 1] = stats[at + 1]! + (end - start);
  stats[at + 2] = stats[at + 2]! + (end - sleep0);
}
clock.close();
