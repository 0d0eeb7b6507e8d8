/**
 * The native element-wise, row-wise and attention kernels (native/act.c, layer.c, ops.c,
 * attention.c) against the reference kernels of js.ts, at every ISA level this CPU has
 * (portable C, AVX2) and at 1 and 2 threads of the pool; the accuracy bound of the fast
 * exp behind GELU and softmax; the binding's shape checks. Skipped where the addon is not built.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Ref from '../../../src/train/kernels/js.js';
import { loadNativeGemm } from '../../../src/train/kernels/native.js';
import * as Portable from '../../../src/train/kernels/portable.js';
import type { Kernels } from '../../../src/train/kernels/types.js';
import { rng } from '../../helpers.js';

type Isa = 'generic' | 'avx2' | 'auto';

function load(threads: number, isa: Isa): Partial<Kernels> | string {
  const n = loadNativeGemm(threads, isa);
  return n.gemm ? n.ops : `native kernels unavailable: ${n.reason}`;
}

function rand(u: () => number, n: number, s = 1): Float32Array {
  return Float32Array.from({ length: n }, () => s * (u() - 0.5));
}

function worst(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  return w;
}

/** Runs op on copies of the inputs with k and with the reference; every array must agree to tol. */
function same(k: Partial<Kernels>, inputs: Float32Array[], op: (k: Kernels, a: Float32Array[]) => void, what: string, tol: number): void {
  const mine = inputs.map((x) => x.slice());
  const ref = inputs.map((x) => x.slice());
  op(k as Kernels, mine);
  op(Ref, ref);
  mine.forEach((x, i) => {
    const w = worst(x, ref[i]!);
    assert.ok(w <= tol, `${what} [array ${i}]: worst relative difference ${w}`);
  });
}

for (const isa of ['generic', 'avx2', 'auto'] as const) {
  for (const threads of [1, 2]) {
    describe(`native kernels (${isa}, ${threads} thread${threads > 1 ? 's' : ''})`, () => {
      const u = rng(11);
      const get = (t: { skip(m: string): void }): Partial<Kernels> | null => {
        const k = load(threads, isa);
        if (typeof k === 'string') {
          t.skip(k);
          return null;
        }
        return k;
      };

      it('GELU and its gradient within 1e-6·(1 + |x|) of the exact tanh form, on a dense grid and odd lengths', (t) => {
        const k = get(t);
        if (!k) return;
        // every length from 1 to 40 (tails of the 8-lane loop), then a grid over [-12, 12]
        for (let n = 1; n <= 40; n++) same(k, [new Float32Array(n), rand(u, n, 10)], (k, [o, x]) => k.geluForward(o!, x!, n), `geluForward n=${n}`, 1e-6);
        const n = 200_001;
        const x = Float32Array.from({ length: n }, (_, i) => -12 + (24 * i) / (n - 1));
        same(k, [new Float32Array(n), x], (k, [o, x]) => k.geluForward(o!, x!, n), 'geluForward grid', 1e-6);
        same(k, [rand(u, n), x, rand(u, n)], (k, [d, x, g]) => k.geluBackward(d!, x!, g!, n), 'geluBackward grid', 1e-6);
      });

      it('softmax cross-entropy over a 50257-token vocabulary, extreme logits, ignored rows', (t) => {
        const k = get(t);
        if (!k) return;
        const rows = 6, V = 50257;
        const logits = rand(u, rows * V, 20);
        logits[3] = 80; // one dominant logit: the others' exps underflow
        logits[V + 7] = -30; // a target far below the rest (not so far that float32 underflows to p = 0)
        const targets = Int32Array.from([3, 7, -100, 11, 50256, 0]);
        const mine = logits.slice(), ref = logits.slice();
        const [l1, c1] = k.softmaxXent!(mine, targets, rows, V, -100);
        const [l2, c2] = Ref.softmaxXent(ref, targets, rows, V, -100);
        assert.equal(c1, c2);
        assert.ok(Math.abs(l1 - l2) < 1e-5 * (1 + Math.abs(l2)), `${l1} vs ${l2}`);
        assert.ok(worst(mine, ref) < 1e-6, `probabilities: ${worst(mine, ref)}`);
        // the gradient written over the probabilities themselves, as the trainer does
        const inPlace = mine.slice();
        k.xentBackward!(inPlace, targets, rows, V, -100, inPlace, c1);
        const d = new Float32Array(rows * V);
        Ref.xentBackward(ref, targets, rows, V, -100, d, c2);
        assert.ok(worst(inPlace, d) < 1e-6);
      });

      it('LayerNorm forward and backward, embeddings, residual add, bias gradient', (t) => {
        const k = get(t);
        if (!k) return;
        for (const [rows, C] of [[5, 13], [64, 768], [130, 40]] as const) {
          same(k, [new Float32Array(rows * C), new Float32Array(rows), new Float32Array(rows), rand(u, rows * C, 4), rand(u, C), rand(u, C)],
            (k, [o, m, s, x, w, b]) => k.layernormForward(o!, m!, s!, x!, w!, b!, rows, C, 1e-5), `layernormForward ${rows}x${C}`, 2e-6);
          const mean = new Float32Array(rows), rstd = new Float32Array(rows), x = rand(u, rows * C, 4);
          Ref.layernormForward(new Float32Array(rows * C), mean, rstd, x, rand(u, C), rand(u, C), rows, C, 1e-5);
          same(k, [rand(u, rows * C), rand(u, C), rand(u, C), rand(u, rows * C), x, rand(u, C), mean, rstd],
            (k, [di, dw, db, d, x, w, m, s]) => k.layernormBackward(di!, dw!, db!, d!, x!, w!, m!, s!, rows, C), `layernormBackward ${rows}x${C}`, 1e-5);
          same(k, [rand(u, C), rand(u, rows * C)], (k, [db, d]) => k.biasBackward(db!, d!, rows, C), `biasBackward ${rows}x${C}`, 1e-5);
          same(k, [new Float32Array(rows * C), rand(u, rows * C), rand(u, rows * C)], (k, [o, a, b]) => k.residualForward(o!, a!, b!, rows * C), 'residualForward', 0);
        }
        const B = 3, T = 5, C = 8, V = 11;
        const inputs = Int32Array.from({ length: B * T }, (_, i) => (i * 7) % V);
        inputs[4] = inputs[9] = 2; // a repeated token: its gradient rows add up
        same(k, [new Float32Array(B * T * C), rand(u, V * C), rand(u, T * C)], (k, [o, e, p]) => k.encoderForward(o!, inputs, e!, p!, B, T, C), 'encoderForward', 0);
        same(k, [rand(u, V * C), rand(u, T * C), rand(u, B * T * C)], (k, [de, dp, d]) => k.encoderBackward(de!, dp!, d!, inputs, B, T, C), 'encoderBackward', 1e-6);
      });

      it('causal attention forward and backward at GPT-2 head sizes', (t) => {
        const k = get(t);
        if (!k) return;
        for (const [B, T, C, NH] of [[2, 7, 16, 4], [1, 33, 128, 2]] as const) {
          const A = B * NH * T * T;
          const qkv = rand(u, B * T * 3 * C, 2);
          same(k, [new Float32Array(B * T * C), new Float32Array(A), new Float32Array(A), qkv], (k, [o, pre, att, q]) => {
            k.attentionForward(o!, pre!, att!, q!, B, T, C, NH);
            for (let i = 0; i < pre!.length; i++) if (att![i] === 0) pre![i] = 0; // masked entries: each set may leave its own value
          }, `attentionForward T=${T}`, 1e-5);
          const att = new Float32Array(A);
          Ref.attentionForward(new Float32Array(B * T * C), new Float32Array(A), att, qkv, B, T, C, NH);
          same(k, [rand(u, B * T * 3 * C), rand(u, B * T * C), qkv, att], (k, [dq, d, q, a]) => k.attentionBackward(dq!, new Float32Array(A), new Float32Array(A), d!, q!, a!, B, T, C, NH), `attentionBackward T=${T}`, 1e-5);
        }
      });

      it('AdamW with the clipping factor folded in equals scale-then-AdamW; the squared norm is the same at any thread count', (t) => {
        const k = get(t);
        if (!k) return;
        const n = 300_001;
        const g = rand(u, n);
        const clipped = g.slice();
        Ref.scale(clipped, 0.37);
        const w0 = rand(u, n), m0 = rand(u, n, 0.1), v0 = Float32Array.from(rand(u, n), Math.abs);
        const mine = [w0.slice(), m0.slice(), v0.slice()], ref = [w0.slice(), m0.slice(), v0.slice()];
        k.adamw!(mine[0]!, g, mine[1]!, mine[2]!, 0.9, 0.999, 1e-8, 0.99, 1e-3, 0.7, 0.37);
        Ref.adamw(ref[0]!, clipped, ref[1]!, ref[2]!, 0.9, 0.999, 1e-8, 0.99, 1e-3, 0.7);
        mine.forEach((a, i) => assert.ok(worst(a, ref[i]!) < 1e-6, `adamw array ${i}: ${worst(a, ref[i]!)}`));
        const big = rand(u, 1 << 20, 3);
        const one = load(1, isa) as Partial<Kernels>;
        assert.equal(k.sumSquares!(big), one.sumSquares!(big));
        assert.ok(Math.abs(k.sumSquares!(big) - Ref.sumSquares(big)) < 1e-9 * Ref.sumSquares(big));
        k.zero!(big);
        assert.ok(big.every((x) => x === 0));
      });
    });
  }
}

describe('native kernel argument checks', () => {
  it('shapes that exceed their arrays are RangeErrors, not reads outside the buffer', (t) => {
    const k = load(2, 'auto');
    if (typeof k === 'string') return t.skip(k);
    const f = (n: number): Float32Array => new Float32Array(n);
    assert.throws(() => k.geluForward!(f(4), f(3), 4), RangeError);
    assert.throws(() => k.layernormForward!(f(10), f(2), f(2), f(10), f(5), f(5), 3, 5, 1e-5), RangeError);
    assert.throws(() => k.attentionForward!(f(8), f(8), f(8), f(23), 1, 2, 4, 2), RangeError);
    assert.throws(() => k.encoderForward!(f(4), Int32Array.from([3]), f(8), f(4), 1, 1, 4), RangeError); // token 3 of a 2-row wte
    assert.throws(() => k.biasBackward!(f(3), f(10), 3, 4), RangeError);
    assert.throws(() => k.layernormForward!(new Float64Array(10), f(2), f(2), f(10), f(5), f(5), 2, 5, 1e-5), TypeError);
  });
});

describe('portable GELU (exp form, for the WebAssembly and TypeScript sets)', () => {
  it('equals the tanh form to float64 rounding', () => {
    const n = 10_001;
    const x = Float64Array.from({ length: n }, (_, i) => -30 + (60 * i) / (n - 1));
    const a = new Float64Array(n), b = new Float64Array(n);
    Portable.geluForward(a, x, n);
    Ref.geluForward(b, x, n);
    assert.ok(worst(a, b) < 1e-14, `forward ${worst(a, b)}`);
    const g = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    a.fill(0.5);
    b.fill(0.5);
    Portable.geluBackward(a, x, g, n);
    Ref.geluBackward(b, x, g, n);
    assert.ok(worst(a, b) < 1e-14, `backward ${worst(a, b)}`);
  });
});
