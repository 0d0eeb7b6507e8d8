/**
 * A helper thread of the WebAssembly kernel set: waits on the shared control block, computes
 * its slice of C's columns with its own instance over the shared memory, and reports done.
 */
import { workerData } from 'node:worker_threads';

interface Data {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrl: Int32Array;
  index: number;
  threads: number;
  workBytes: number;
}

type SgemmFn = (...a: number[]) => void;

const SEQ = 0, DONE = 1, READY = 2, ARGS = 3;
const NR = 8;
const { module, memory, ctrl, index, threads, workBytes } = workerData as Data;
const sgemm = new WebAssembly.Instance(module, { env: { memory } }).exports.sgemm as SgemmFn;
const fargs = new Float32Array(ctrl.buffer, 4 * ARGS, 16);

// Read the sequence before announcing readiness: the caller only signals ready helpers.
let seen = Atomics.load(ctrl, SEQ);
Atomics.add(ctrl, READY, 1);
for (;;) {
  Atomics.wait(ctrl, SEQ, seen);
  seen = Atomics.load(ctrl, SEQ);
  const a = Array.from(ctrl.subarray(ARGS, ARGS + 15));
  const N = a[3]!;
  const cut = (t: number): number => Math.min(N, Math.round((Math.ceil(N / NR) * t) / threads) * NR);
  const j0 = cut(index), j1 = cut(index + 1);
  if (j1 > j0) sgemm(a[0]!, a[1]!, a[2]!, N, a[4]!, fargs[5]!, a[6]!, a[7]!, a[8]!, a[9]!, fargs[10]!, a[11]!, a[12]!, j0, j1, index * workBytes);
  Atomics.add(ctrl, DONE, 1);
  Atomics.notify(ctrl, DONE);
}
