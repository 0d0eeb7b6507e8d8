/**
 * A helper thread of the WebAssembly kernel set: waits on the shared control block, runs its
 * slice of the operation there (wasm-ops.ts: a GEMM's columns, an element-wise kernel's
 * elements or rows) on the shared memory, and reports done.
 */
import { workerData } from 'node:worker_threads';
import { DONE, READY, runSlice, SEQ, type Shared, type WasmExports } from './wasm-ops.js';

interface Data {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrl: Int32Array;
  f64: Float64Array;
  index: number;
  threads: number;
  workBytes: number;
}

const { module, memory, ctrl, f64, index, threads, workBytes } = workerData as Data;
const wasm = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as WasmExports;
const shared: Shared = { ctrl, f64, memory, wasm, threads, workBytes };

// Read the sequence before announcing readiness: the caller only signals ready helpers.
let seen = Atomics.load(ctrl, SEQ);
Atomics.add(ctrl, READY, 1);
for (;;) {
  Atomics.wait(ctrl, SEQ, seen);
  seen = Atomics.load(ctrl, SEQ);
  runSlice(shared, index);
  Atomics.add(ctrl, DONE, 1);
  Atomics.notify(ctrl, DONE);
}
