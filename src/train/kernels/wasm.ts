/**
 * The WebAssembly SIMD kernel set: native/wasm/gemm.ts (AssemblyScript, built by `npm ci`
 * into dist/wasm/gemm.wasm) on a shared WebAssembly.Memory, run by this thread and helper
 * worker threads (wasm-worker.ts) that each take a slice of the work (wasm-ops.ts): a GEMM's
 * columns, or the elements or rows of AdamW, GELU, softmax/cross-entropy and the gradient
 * norm's sums of squares.
 *
 * The model's arrays are allocated in that memory (`alloc`), so the GEMM reads and writes them
 * where they are and the helpers can work on them at all; an array from elsewhere (a caller's,
 * or one past the arena's limit) is copied in and out around a GEMM, and its element-wise
 * kernels run on this thread. A product below PARALLEL_MACS, or an element-wise kernel over
 * fewer than PARALLEL_ELEMS elements, runs on this thread alone.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Gemm } from './gemm.js';
import * as Ref from './js.js';
import * as Portable from './portable.js';
import type { Kernels } from './types.js';
import { ARGS, DONE, NARGS, NFARGS, NR, Op, OP, READY, runSlice, SEQ, type Shared, type WasmExports } from './wasm-ops.js';
import { PKG_ROOT } from '../../package-root.js';

/** Beside the compiled TypeScript (node-gyp's rebuild wipes build/, so not there). */
export const WASM_PATH = join(PKG_ROOT, 'dist', 'wasm', 'gemm.wasm');
/** The same kernel with relaxed SIMD's fused multiply-add (native/wasm/gemm.ts): tried first. */
export const WASM_RELAXED_PATH = join(PKG_ROOT, 'dist', 'wasm', 'gemm-relaxed.wasm');

const PAGE = 65536;
const PARALLEL_MACS = 1 << 21;
/** Element-wise work shorter than this stays on the calling thread: waking the helpers and waiting for them would cost more than it saves. */
const PARALLEL_ELEMS = 1 << 15;
/**
 * The arena ends here, so that copies of outside operands (the LM head's 154 MB at most for
 * DistilGPT-2) still fit below the 4 GiB of a 32-bit memory; DistilGPT-2's arrays take ~1.6 GB.
 */
const ARENA_LIMIT = 3 * 2 ** 30;

export interface WasmStats {
  /** Operations run on every thread, and on this thread alone (small, helpers not up yet, or arrays outside the arena). */
  parallel: number;
  alone: number;
  /** Bytes of the arena handed out. */
  arenaBytes: number;
}

export type WasmLoad = { gemm: Gemm; ops: Partial<Kernels>; alloc: (n: number) => Float32Array; stats: () => WasmStats } | { gemm: null; reason: string };

const align = (n: number): number => Math.ceil(n / 64) * 64;

/** Float32Arrays handed out of the shared memory, bump-allocated; the space above `top` is scratch for one call. */
class Arena {
  private readonly owned = new WeakSet<ArrayBufferLike>();
  readonly base: number;
  constructor(private readonly memory: WebAssembly.Memory, public top: number) {
    this.base = top;
  }

  /** Grows the memory to at least `bytes`. */
  ensure(bytes: number): void {
    const need = Math.ceil(bytes / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (need > 0) this.memory.grow(need);
  }

  /** n zeroed floats in the shared memory, or null when the arena is full or the memory cannot grow. */
  alloc(n: number): Float32Array | null {
    const at = this.top, end = align(at + 4 * n);
    if (end > ARENA_LIMIT) return null;
    try {
      this.ensure(end);
    } catch {
      return null;
    }
    this.top = end;
    const buf = this.memory.buffer;
    this.owned.add(buf); // views made before a grow keep the buffer object they were made on
    // zeroed: the space may have been a GEMM's or a loss's scratch before (see `top`)
    return new Float32Array(buf, at, n).fill(0);
  }

  owns(...xs: ArrayBufferView[]): boolean {
    return xs.every((x) => this.owned.has(x.buffer));
  }
}

/**
 * The relaxed-SIMD module where this Node can run it, else the plain one. Node 22 and later
 * validate relaxed SIMD as shipped; Node 20's V8 (11.3) has it behind a flag, which is set
 * here before compiling — a wasm feature flag, read when a module is validated, so setting it
 * late affects nothing else. Relaxed multiply-adds round once on FMA hardware and twice
 * elsewhere: results differ in the last bits from machine to machine, as summation order does.
 */
function moduleBytes(relaxed: boolean): { bytes: Uint8Array<ArrayBuffer>; relaxed: boolean } | null {
  if (relaxed && fs.existsSync(WASM_RELAXED_PATH)) {
    const bytes = new Uint8Array(fs.readFileSync(WASM_RELAXED_PATH));
    if (!WebAssembly.validate(bytes)) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    if (WebAssembly.validate(bytes)) return { bytes, relaxed: true };
  }
  return fs.existsSync(WASM_PATH) ? { bytes: new Uint8Array(fs.readFileSync(WASM_PATH)), relaxed: false } : null;
}

function instantiate(relaxed: boolean): { module: WebAssembly.Module; memory: WebAssembly.Memory; wasm: WasmExports; workBytes: number; relaxed: boolean } | string {
  const m = moduleBytes(relaxed);
  if (!m) return `WebAssembly kernels were not built (no ${WASM_PATH})`;
  try {
    const module = new WebAssembly.Module(m.bytes);
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
    const inst = new WebAssembly.Instance(module, { env: { memory } });
    return { module, memory, wasm: inst.exports as unknown as WasmExports, workBytes: (inst.exports.WORK_BYTES as WebAssembly.Global).value as number, relaxed: m.relaxed };
  } catch (err) {
    return `WebAssembly kernels failed to load: ${(err as Error).message}`;
  }
}

/** @param relaxed use the relaxed-SIMD kernel where it runs (default); false: the plain SIMD one (benchmarks, tests) */
export function loadWasmGemm(threads: number, relaxed = true): WasmLoad {
  const w = instantiate(relaxed);
  if (typeof w === 'string') return { gemm: null, reason: w };
  const { module, memory, workBytes } = w;
  const ctrl = new Int32Array(new SharedArrayBuffer(4 * (ARGS + NARGS)));
  const f64 = new Float64Array(new SharedArrayBuffer(8 * (NFARGS + 2 * threads)));
  const shared: Shared = { ctrl, f64, memory, wasm: w.wasm, threads, workBytes };
  const alone: Shared = { ...shared, threads: 1 };
  const helpers: Worker[] = [];
  for (let i = 1; i < threads; i++) {
    const h = new Worker(new URL('./wasm-worker.js', import.meta.url), { workerData: { module, memory, ctrl, f64, index: i, threads, workBytes } });
    h.unref(); // idle helpers never keep the process alive
    helpers.push(h);
  }
  const arena = new Arena(memory, align(threads * workBytes));
  const counts = { parallel: 0, alone: 0 };

  /** Runs `op` with these arguments, on every thread when asked and the helpers are up (tens of ms after start); returns how many threads wrote results. */
  const run = (op: number, ints: number[], floats: number[], parallel: boolean): number => {
    Atomics.store(ctrl, OP, op);
    ints.forEach((v, i) => (ctrl[ARGS + i] = v));
    floats.forEach((v, i) => (f64[i] = v));
    const all = parallel && helpers.length > 0 && Atomics.load(ctrl, READY) === helpers.length;
    if (!all) {
      counts.alone++;
      runSlice(alone, 0);
      return 1;
    }
    counts.parallel++;
    Atomics.store(ctrl, DONE, 0);
    Atomics.add(ctrl, SEQ, 1);
    Atomics.notify(ctrl, SEQ);
    runSlice(shared, 0);
    for (let done = Atomics.load(ctrl, DONE); done < helpers.length; done = Atomics.load(ctrl, DONE)) Atomics.wait(ctrl, DONE, done, 1000);
    return threads;
  };
  const results = (k: number, used: number): number => {
    let s = 0;
    for (let t = 0; t < used; t++) s += f64[NFARGS + 2 * t + k]!;
    return s;
  };
  const gemm: Gemm = { name: `wasm (SIMD${w.relaxed ? ' + relaxed FMA' : ''}, ${threads} thread${threads === 1 ? '' : 's'})`, sgemm: sgemmVia(arena, memory, run, threads) };
  const stats = (): WasmStats => ({ ...counts, arenaBytes: arena.top - arena.base });
  return { gemm, ops: elementwise(arena, memory, run, results), alloc: (n) => arena.alloc(n) ?? new Float32Array(n), stats };
}

type Run = (op: number, ints: number[], floats: number[], parallel: boolean) => number;

/** Copies a rows × cols matrix with leading dimension ld into the shared memory at float index `at`, contiguous. */
function put(heap: Float32Array, at: number, src: Float32Array, off: number, rows: number, cols: number, ld: number): void {
  if (ld === cols) heap.set(src.subarray(off, off + rows * cols), at);
  else for (let r = 0; r < rows; r++) heap.set(src.subarray(off + r * ld, off + r * ld + cols), at + r * cols);
}

/** The GEMM: operands in the arena are used in place; others are copied into the scratch above it (and C back out). */
function sgemmVia(arena: Arena, memory: WebAssembly.Memory, run: Run, threads: number): Gemm['sgemm'] {
  return (ta, tb, M, N, K, alpha, A, offA, lda, B, offB, ldb, beta, C, offC, ldc) => {
    const [ra, ca] = ta ? [K, M] : [M, K];
    const [rb, cb] = tb ? [N, K] : [K, N];
    let at = arena.top;
    const place = (X: Float32Array, off: number, ld: number, rows: number, cols: number): { p: number; ld: number; copy: boolean } => {
      if (arena.owns(X)) {
        // Used in place, an operand past its array would read or write its neighbours in the arena.
        if (!(off >= 0 && ld >= cols && off + (rows - 1) * ld + cols <= X.length)) throw new RangeError(`sgemm: a ${rows} × ${cols} operand (offset ${off}, leading dimension ${ld}) does not fit its array of ${X.length}`);
        return { p: X.byteOffset + 4 * off, ld, copy: false };
      }
      const p = at;
      at = align(at + 4 * rows * cols);
      return { p, ld: cols, copy: true };
    };
    const a = place(A, offA, lda, ra, ca), b = place(B, offB, ldb, rb, cb), c = place(C, offC, ldc, M, N);
    arena.ensure(at);
    if (a.copy || b.copy || c.copy) {
      const heap = new Float32Array(memory.buffer);
      if (a.copy) put(heap, a.p / 4, A, offA, ra, ca, lda);
      if (b.copy) put(heap, b.p / 4, B, offB, rb, cb, ldb);
      if (c.copy && beta !== 0) put(heap, c.p / 4, C, offC, M, N, ldc);
    }
    const parallel = M * N * K >= PARALLEL_MACS && N >= NR * threads;
    run(Op.Sgemm, [ta ? 1 : 0, tb ? 1 : 0, M, N, K, a.p, a.ld, b.p, b.ld, c.p, c.ld], [alpha, beta], parallel);
    if (c.copy) {
      const out = new Float32Array(memory.buffer, c.p, M * N);
      if (ldc === N) C.set(out, offC);
      else for (let r = 0; r < M; r++) C.set(out.subarray(r * N, (r + 1) * N), offC + r * ldc);
    }
  };
}

/** The element-wise kernels across the threads, for arrays in the arena; the TypeScript ones on this thread otherwise. */
function elementwise(arena: Arena, memory: WebAssembly.Memory, run: Run, results: (k: number, used: number) => number): Partial<Kernels> {
  const mine = (...xs: ArrayBufferView[]): boolean => arena.owns(...xs);
  const p = (x: ArrayBufferView): number => x.byteOffset;
  /** The targets into the scratch above the arena (the batch's own Int32Array lives elsewhere). */
  const targetsAt = (targets: Int32Array, rows: number): number => {
    const at = arena.top;
    arena.ensure(at + 4 * rows);
    new Int32Array(memory.buffer, at, rows).set(targets.subarray(0, rows));
    return at;
  };
  return {
    adamw(w, g, m, v, beta1, beta2, eps, shrink, stepSize, sqrtBc2, gradScale = 1) {
      if (w.length < PARALLEL_ELEMS || !mine(w, g, m, v)) return Ref.adamw(w, g, m, v, beta1, beta2, eps, shrink, stepSize, sqrtBc2, gradScale);
      run(Op.Adamw, [p(w), p(g), p(m), p(v), w.length], [beta1, beta2, eps, shrink, stepSize, sqrtBc2, gradScale], true);
    },
    sumSquares(a) {
      if (a.length < PARALLEL_ELEMS || !(a instanceof Float32Array) || !mine(a)) return Ref.sumSquares(a);
      return results(0, run(Op.SumSquares, [p(a), a.length], [], true));
    },
    geluForward(out, inp, n) {
      if (n < PARALLEL_ELEMS || !mine(out, inp)) return Portable.geluForward(out, inp, n);
      run(Op.GeluForward, [p(out), p(inp), n], [], true);
    },
    geluBackward(dinp, inp, dout, n) {
      if (n < PARALLEL_ELEMS || !mine(dinp, inp, dout)) return Portable.geluBackward(dinp, inp, dout, n);
      run(Op.GeluBackward, [p(dinp), p(inp), p(dout), n], [], true);
    },
    softmaxXent(logits, targets, rows, V, ignore) {
      if (rows * V < PARALLEL_ELEMS || !mine(logits)) return Ref.softmaxXent(logits, targets, rows, V, ignore);
      const used = run(Op.SoftmaxXent, [p(logits), targetsAt(targets, rows), rows, V, ignore], [], true);
      return [results(0, used), results(1, used)];
    },
    xentBackward(probs, targets, rows, V, ignore, dlogits, count) {
      if (rows * V < PARALLEL_ELEMS || !mine(probs, dlogits)) return Ref.xentBackward(probs, targets, rows, V, ignore, dlogits, count);
      run(Op.XentBackward, [p(probs), targetsAt(targets, rows), rows, V, ignore, p(dlogits)], [count], true);
    },
  };
}
