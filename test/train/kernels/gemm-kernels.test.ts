/**
 * The GEMM-backed kernel sets (portable TypeScript GEMM, native when built) against the
 * reference kernels of js.ts on random float32 data: every layer operation, forward and
 * backward, plus the fused element-wise ones (softmax cross-entropy, AdamW, GELU, norms).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createJsGemm } from '../../../src/train/kernels/gemm.js';
import { gemmKernels } from '../../../src/train/kernels/gemm-kernels.js';
import * as Ref from '../../../src/train/kernels/js.js';
import { loadNativeGemm } from '../../../src/train/kernels/native.js';
import { loadWasmGemm } from '../../../src/train/kernels/wasm.js';
import type { Kernels } from '../../../src/train/kernels/types.js';
import { rng } from '../../helpers.js';

const B = 2, T = 7, C = 16, NH = 4, OC = 24, V = 37;

function rand(u: () => number, n: number, s = 1): Float32Array {
  return Float32Array.from({ length: n }, () => s * (u() - 0.5));
}

function close(a: Float32Array, b: Float32Array, tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  assert.ok(worst <= tol, `${what}: worst relative difference ${worst}`);
}

/** Runs `op` on fresh copies of `inputs` with the kernel set and with the reference; compares every array. */
function same(k: Kernels, inputs: Float32Array[], op: (k: Kernels, a: Float32Array[]) => void, what: string, tol = 2e-5): void {
  const mine = inputs.map((x) => x.slice());
  const ref = inputs.map((x) => x.slice());
  op(k, mine);
  op(Ref, ref);
  mine.forEach((x, i) => close(x, ref[i]!, tol, `${what} [array ${i}]`));
}

function suite(name: string, make: () => Kernels | string): void {
  describe(`kernel set: ${name}`, () => {
    const u = rng(7);
    const get = (t: { skip(m: string): void }): Kernels | null => {
      const k = make();
      if (typeof k === 'string') {
        t.skip(k);
        return null;
      }
      return k;
    };
    it('linear layers (Conv1D layout) forward and backward', (t) => {
      const k = get(t);
      if (!k) return;
      const BT = B * T;
      same(k, [new Float32Array(BT * OC), rand(u, BT * C), rand(u, C * OC), rand(u, OC)], (k, [out, inp, w, b]) => k.matmulForward(out!, inp!, w!, b!, BT, C, OC), 'matmulForward');
      same(k, [rand(u, BT * C), rand(u, C * OC), rand(u, OC), rand(u, BT * OC), rand(u, BT * C), rand(u, C * OC)], (k, [di, dw, db, dout, inp, w]) => k.matmulBackward(di!, dw!, db!, dout!, inp!, w!, BT, C, OC), 'matmulBackward');
    });
    it('tied LM head (Linear layout) forward and backward', (t) => {
      const k = get(t);
      if (!k) return;
      const BT = B * T;
      same(k, [new Float32Array(BT * V), rand(u, BT * C), rand(u, V * C)], (k, [out, inp, w]) => k.matmulForwardT(out!, inp!, w!, BT, C, V), 'matmulForwardT');
      same(k, [rand(u, BT * C), rand(u, V * C), rand(u, BT * V), rand(u, BT * C), rand(u, V * C)], (k, [di, dw, dout, inp, w]) => k.matmulBackwardT(di!, dw!, dout!, inp!, w!, BT, C, V), 'matmulBackwardT');
    });
    it('causal attention forward and backward', (t) => {
      const k = get(t);
      if (!k) return;
      const qkv = rand(u, B * T * 3 * C, 2);
      const A = B * NH * T * T;
      same(k, [new Float32Array(B * T * C), new Float32Array(A), new Float32Array(A), qkv], (k, [out, pre, att, q]) => {
        k.attentionForward(out!, pre!, att!, q!, B, T, C, NH);
        for (let i = 0; i < pre!.length; i++) if (att![i] === 0) pre![i] = 0; // masked entries: each set may leave its own value
      }, 'attentionForward');
      const att = new Float32Array(A);
      Ref.attentionForward(new Float32Array(B * T * C), new Float32Array(A), att, qkv, B, T, C, NH);
      same(k, [rand(u, B * T * 3 * C), rand(u, B * T * C), qkv, att], (k, [dqkv, dout, q, a]) => k.attentionBackward(dqkv!, new Float32Array(A), new Float32Array(A), dout!, q!, a!, B, T, C, NH), 'attentionBackward');
    });
    it('softmax cross-entropy and its gradient, ignored targets skipped', (t) => {
      const k = get(t);
      if (!k) return;
      const rows = B * T;
      const targets = Int32Array.from({ length: rows }, (_, i) => (i % 5 === 4 ? -100 : Math.floor(u() * V)));
      const logits = rand(u, rows * V, 8);
      const mine = logits.slice(), ref = logits.slice();
      const [l1, c1] = k.softmaxXent(mine, targets, rows, V, -100);
      const [l2, c2] = Ref.softmaxXent(ref, targets, rows, V, -100);
      assert.equal(c1, c2);
      assert.ok(Math.abs(l1 - l2) < 1e-4 * c2, `${l1} vs ${l2}`);
      close(mine, ref, 1e-5, 'probabilities');
      same(k, [ref, rand(u, rows * V)], (k, [p, d]) => k.xentBackward(p!, targets, rows, V, -100, d!, c2), 'xentBackward');
    });
    it('GELU, AdamW, squared norm and scaling', (t) => {
      const k = get(t);
      if (!k) return;
      const n = 1000;
      same(k, [new Float32Array(n), rand(u, n, 8)], (k, [o, x]) => k.geluForward(o!, x!, n), 'geluForward', 1e-5);
      same(k, [rand(u, n), rand(u, n, 8), rand(u, n)], (k, [d, x, g]) => k.geluBackward(d!, x!, g!, n), 'geluBackward', 1e-5);
      same(k, [rand(u, n), rand(u, n), rand(u, n, 0.1), Float32Array.from(rand(u, n), Math.abs)], (k, [w, g, m, v]) => k.adamw(w!, g!, m!, v!, 0.9, 0.999, 1e-8, 0.99, 1e-3, 0.7), 'adamw', 1e-6);
      const x = rand(u, n, 3);
      assert.ok(Math.abs(k.sumSquares(x) - Ref.sumSquares(x)) < 1e-9 * Ref.sumSquares(x) + 1e-12);
      same(k, [x], (k, [a]) => k.scale(a!, 0.37), 'scale', 1e-7);
    });
  });
}

suite('portable TypeScript GEMM', () => gemmKernels(createJsGemm()));
suite('WebAssembly SIMD', () => {
  const w = loadWasmGemm(2);
  if (!w.gemm) throw new Error(`WebAssembly kernels must be built by npm ci: ${w.reason}`);
      return gemmKernels(w.gemm);
});
suite('native', () => {
  const n = loadNativeGemm(2);
  return n.gemm ? gemmKernels(n.gemm, n.ops) : `native kernels unavailable: ${n.reason}`;
});
