/**
 * The WebAssembly kernel set with the model's arrays in its shared memory: the GEMM on operands
 * in place (offsets, leading dimensions, mixed with outside arrays), and the element-wise
 * kernels split across the threads: AdamW and the cross-entropy gradient the same bits as the
 * TypeScript ones, sums to rounding, softmax and GELU (a vectorised exp, ≤ 2.4e-7 relative)
 * within 1e-6 of them — before and after the memory grows.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { mulberry32 } from '../../../src/core/random.js';
import { Gpt2 } from '../../../src/train/gpt2.js';
import { PRESETS } from '../../../src/train/gpt2-config.js';
import { gemmKernels } from '../../../src/train/kernels/gemm-kernels.js';
import * as Ref from '../../../src/train/kernels/js.js';
import { AdamW, clipScale, gradNorm, type Param } from '../../../src/train/optim.js';
import * as Portable from '../../../src/train/kernels/portable.js';
import { loadWasmGemm, type WasmLoad } from '../../../src/train/kernels/wasm.js';
import type { Kernels } from '../../../src/train/kernels/types.js';
import { rng } from '../../helpers.js';

type Loaded = Extract<WasmLoad, { gemm: object }>;

function fill(a: Float32Array, u: () => number, s = 1): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] = s * (u() - 0.5);
  return a;
}

/** The product in float64, naively: the yardstick. */
function naive(ta: boolean, tb: boolean, M: number, N: number, K: number, A: Float32Array, lda: number, B: Float32Array, ldb: number, beta: number, C: Float64Array, ldc: number): void {
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (ta ? A[k * lda + i]! : A[i * lda + k]!) * (tb ? B[j * ldb + k]! : B[k * ldb + j]!);
      C[i * ldc + j] = s + beta * C[i * ldc + j]!;
    }
}

describe('WebAssembly kernels on arrays in their shared memory', () => {
  let w: Loaded;
  let k: Partial<Kernels>;
  before(async () => {
    const l = loadWasmGemm(2);
    // Built by npm ci on every machine (no toolchain needed): missing is a failure, not a skip.
    if (!l.gemm) throw new Error(l.reason);
    w = l;
    k = l.ops;
    // the helper announces itself once started
    for (let i = 0; i < 100 && w.stats().parallel === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      w.gemm.sgemm(false, false, 128, 256, 128, 1, w.alloc(128 * 128), 0, 128, w.alloc(128 * 256), 0, 256, 0, w.alloc(128 * 256), 0, 256);
    }
    assert.ok(w.stats().parallel > 0, 'the helper thread joined');
  });

  it('alloc gives zeroed, separate float32 arrays in shared memory, also where a product had its scratch', () => {
    // outside operands are copied into the space above the arena: what alloc hands out next
    const A = new Float32Array(64 * 64).fill(3), C = new Float32Array(64 * 64);
    w.gemm.sgemm(false, false, 64, 64, 64, 1, A, 0, 64, A, 0, 64, 0, C, 0, 64);
    const a = w.alloc(1000), b = w.alloc(3);
    assert.ok(a.buffer instanceof SharedArrayBuffer);
    assert.ok(a.every((v) => v === 0) && b.every((v) => v === 0));
    a.fill(1);
    assert.ok(b.every((v) => v === 0), 'no overlap');
    assert.ok(b.byteOffset >= a.byteOffset + 4000 && b.byteOffset % 64 === 0);
  });

  it('GEMM on arena operands in place, with offsets and padded leading dimensions, and mixed with outside arrays', () => {
    const u = rng(3);
    const M = 70, N = 333, K = 300;
    for (const [ownA, ownB, ownC] of [[true, true, true], [true, false, true], [false, true, false], [true, true, false]]) {
      const make = (own: boolean, n: number): Float32Array => fill(own ? w.alloc(n) : new Float32Array(n), u);
      const A = make(ownA!, 5 + K * (M + 1)), B = make(ownB!, 2 + N * (K + 2)), C = make(ownC!, 7 + M * (N + 3));
      const want = Float64Array.from(C.subarray(7));
      const before = w.stats().parallel;
      w.gemm.sgemm(true, true, M, N, K, 1, A, 5, M + 1, B, 2, K + 2, 1, C, 7, N + 3);
      assert.equal(w.stats().parallel, before + 1, 'split across the threads');
      naive(true, true, M, N, K, A.subarray(5), M + 1, B.subarray(2), K + 2, 1, want, N + 3);
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(C[7 + i]! - want[i]!) < 1e-3, `${[ownA, ownB, ownC].join('/')} at ${i}`);
    }
  });

  it('GEMM refuses an arena operand that does not fit its array (it would overwrite a neighbour)', () => {
    const a = w.alloc(99), b = w.alloc(100), c = w.alloc(100);
    assert.throws(() => w.gemm.sgemm(false, false, 10, 10, 10, 1, a, 0, 10, b, 0, 10, 0, c, 0, 10), RangeError);
    assert.throws(() => w.gemm.sgemm(false, false, 10, 10, 10, 1, b, 0, 10, b, 0, 10, 0, c, 1, 10), RangeError);
    assert.throws(() => w.gemm.sgemm(false, false, 10, 10, 10, 1, b, 0, 9, b, 0, 10, 0, c, 0, 10), RangeError);
  });

  /** Runs `op` on arena copies with the kernel set (split across threads) and on plain copies with the reference. */
  function both(inputs: Float32Array[], op: (k: Partial<Kernels>, a: Float32Array[]) => unknown, ref: (a: Float32Array[]) => unknown): { mine: Float32Array[]; ref: Float32Array[]; a: unknown; b: unknown } {
    const mine = inputs.map((x) => {
      const y = w.alloc(x.length);
      y.set(x);
      return y;
    });
    const plain = inputs.map((x) => x.slice());
    const before = w.stats().parallel;
    const a = op(k, mine);
    assert.equal(w.stats().parallel, before + 1, 'split across the threads');
    return { mine, ref: plain, a, b: ref(plain) };
  }
  /** |a − b| ≤ tol·(|b| + floor) everywhere. */
  const near = (x: Float32Array[], y: Float32Array[], tol: number, what: string, floor = 1e-30): void => x.forEach((a, i) => {
    let worst = 0;
    for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j]! - y[i]![j]!) / (Math.abs(y[i]![j]!) + floor));
    assert.ok(worst <= tol, `${what} [array ${i}]: worst relative difference ${worst}`);
  });
  const bitwise = (x: Float32Array[], y: Float32Array[], what: string): void => x.forEach((a, i) => assert.ok(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(y[i]!.buffer, y[i]!.byteOffset, y[i]!.byteLength)), `${what} [array ${i}] differs`));

  it('AdamW, with and without a clipping scale: the same bits as on one thread', () => {
    const u = rng(11), n = 100_003;
    for (const scale of [1, 0.37]) {
      const r = both([fill(new Float32Array(n), u), fill(new Float32Array(n), u), fill(new Float32Array(n), u, 0.1), Float32Array.from(fill(new Float32Array(n), u), Math.abs)],
        (k, [wt, g, m, v]) => k.adamw!(wt!, g!, m!, v!, 0.9, 0.999, 1e-8, 0.99, 1e-3, 0.7, scale),
        ([wt, g, m, v]) => Ref.adamw(wt!, g!, m!, v!, 0.9, 0.999, 1e-8, 0.99, 1e-3, 0.7, scale));
      bitwise(r.mine, r.ref, `adamw (scale ${scale})`);
    }
  });

  it('GELU forward and backward within 1e-6·(1 + |y|) of the TypeScript kernels (n not a multiple of 4: the tail too)', () => {
    const u = rng(12), n = 77_777;
    const f = both([new Float32Array(n), fill(new Float32Array(n), u, 8)], (k, [o, x]) => k.geluForward!(o!, x!, n), ([o, x]) => Portable.geluForward(o!, x!, n));
    near(f.mine, f.ref, 1e-6, 'geluForward', 1); // 1e-6·(1 + |x|), as the native kernels' tests
    const b = both([fill(new Float32Array(n), u), fill(new Float32Array(n), u, 8), fill(new Float32Array(n), u)], (k, [d, x, g]) => k.geluBackward!(d!, x!, g!, n), ([d, x, g]) => Portable.geluBackward(d!, x!, g!, n));
    near(b.mine, b.ref, 1e-6, 'geluBackward', 1);
  });

  it('softmax cross-entropy by rows within 1e-6 of the TypeScript kernel, the loss summed per thread, ignored targets skipped; its gradient the same bits', () => {
    const u = rng(13), rows = 37, V = 5003;
    const targets = Int32Array.from({ length: rows }, (_, i) => (i % 5 === 4 ? -100 : Math.floor(u() * V)));
    const r = both([fill(new Float32Array(rows * V), u, 8)], (k, [l]) => k.softmaxXent!(l!, targets, rows, V, -100), ([l]) => Ref.softmaxXent(l!, targets, rows, V, -100));
    near(r.mine, r.ref, 1e-6, 'probabilities');
    const [l1, c1] = r.a as [number, number], [l2, c2] = r.b as [number, number];
    assert.equal(c1, c2);
    assert.ok(Math.abs(l1 - l2) <= 1e-6 * Math.abs(l2), `${l1} vs ${l2}`);
    const g = both([r.ref[0]!, fill(new Float32Array(rows * V), u)], (k, [p, d]) => k.xentBackward!(p!, targets, rows, V, -100, d!, c2), ([p, d]) => Ref.xentBackward(p!, targets, rows, V, -100, d!, c2));
    bitwise(g.mine, g.ref, 'xentBackward');
  });

  it('sum of squares (the gradient norm) to rounding', () => {
    const u = rng(14), n = 123_457;
    const r = both([fill(new Float32Array(n), u, 3)], (k, [x]) => k.sumSquares!(x!), ([x]) => Ref.sumSquares(x!));
    assert.ok(Math.abs((r.a as number) - (r.b as number)) <= 1e-12 * (r.b as number));
  });

  it('arrays made before the memory grew still work on every thread after it', () => {
    const u = rng(15), n = 50_000;
    const x = fill(w.alloc(n), u, 8), out = w.alloc(n);
    const before = w.stats().arenaBytes;
    const big = w.alloc(16 * 2 ** 20); // 64 MB: the memory grows
    assert.ok(big.buffer !== x.buffer, 'a new buffer object after the grow');
    assert.ok(w.stats().arenaBytes >= before + 64 * 2 ** 20);
    k.geluForward!(out, x, n);
    const want = new Float32Array(n);
    Portable.geluForward(want, x.slice(), n);
    near([out], [want], 1e-6, 'geluForward after the grow', 1);
  });

  it('a tiny-preset step with the arrays in the arena agrees with one with ordinary arrays (the same GEMM copying them, the TypeScript element-wise kernels)', () => {
    const cfg = PRESETS.tiny!, B = 2, T = 64, u = rng(17);
    const inputs = Int32Array.from({ length: B * T }, () => Math.floor(u() * cfg.vocabSize));
    const targets = Int32Array.from({ length: B * T }, (_, i) => (i % 9 === 8 ? -100 : Math.floor(u() * cfg.vocabSize)));
    const step = (m: Gpt2, alloc?: (n: number) => Float32Array, ops?: Partial<Kernels>): { loss: number; norm: number; dwte: Float32Array } => {
      m.initRandom(mulberry32(5));
      m.zeroGrad();
      const loss = m.forward(inputs, targets, B, T);
      m.backward();
      const params: Param[] = [...m.params].map(([name, data]) => ({ name, data: data as Float32Array, grad: m.grads.get(name) as Float32Array, decay: true }));
      const norm = gradNorm(params, { sumSquares: ops?.sumSquares ?? Ref.sumSquares });
      const dwte = (m.grads.get('wte.weight') as Float32Array).slice(0, 8192);
      new AdamW(params, undefined, ops?.adamw ?? Ref.adamw, alloc).step(1e-3, clipScale(norm, 1));
      return { loss, norm, dwte };
    };
    const before = w.stats().parallel;
    const inArena = step(new Gpt2(cfg, w.alloc, gemmKernels(w.gemm, w.ops)), w.alloc, w.ops);
    assert.ok(w.stats().parallel > before + 20, 'the step ran split across the threads');
    const plain = step(new Gpt2(cfg, undefined, gemmKernels(w.gemm)));
    assert.ok(Number.isFinite(inArena.loss) && Number.isFinite(inArena.norm), `loss ${inArena.loss}, grad norm ${inArena.norm}`);
    assert.ok(Math.abs(inArena.loss - plain.loss) <= 1e-6 * plain.loss, `loss ${inArena.loss} vs ${plain.loss}`);
    assert.ok(Math.abs(inArena.norm - plain.norm) <= 1e-5 * plain.norm, `grad norm ${inArena.norm} vs ${plain.norm}`);
    near([inArena.dwte], [plain.dwte], 1e-3, 'wte gradient', 1e-4 * plain.norm);
  });

  it('outside arrays (and float64 ones) run on this thread with the TypeScript kernels', () => {
    const u = rng(16), n = 40_000;
    const before = w.stats();
    const x = fill(new Float32Array(n), u, 8), out = new Float32Array(n), want = new Float32Array(n);
    k.geluForward!(out, x, n);
    Portable.geluForward(want, x, n);
    bitwise([out], [want], 'geluForward outside the arena');
    const d = Float64Array.from(x);
    assert.equal(k.sumSquares!(d), Ref.sumSquares(d));
    assert.equal(w.stats().parallel, before.parallel, 'nothing was split');
  });
});
