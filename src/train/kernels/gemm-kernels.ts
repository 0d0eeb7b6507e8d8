/**
 * A float32 kernel set whose matrix products (linear layers, tied LM head, and attention per
 * head) all go through one GEMM, so speeding up the GEMM speeds up training. The O(n) kernels
 * (LayerNorm, GELU, softmax, AdamW, …) are TypeScript unless a faster set overrides them (the
 * native one overrides them all, attention included). Results agree with the reference kernels
 * (js.ts) up to float32 summation order; the tests hold them to that.
 */
import * as Ref from './js.js';
import type { Arr } from './js.js';
import type { Gemm } from './gemm.js';
import type { Kernels } from './types.js';
import * as Portable from './portable.js';

function f32(a: Arr, what: string): Float32Array {
  if (!(a instanceof Float32Array)) throw new TypeError(`${what}: GEMM kernels take Float32Array (use the reference kernels for float64)`);
  return a;
}

/** `overrides`: faster element-wise kernels (the native ones) in place of the TypeScript ones. */
export function gemmKernels(g: Gemm, overrides: Partial<Kernels> = {}): Kernels {
  const set: Kernels = {
    matmulForward(out, inp, w, bias, BT, C, OC) {
      const o = f32(out, 'matmulForward');
      if (bias) for (let bt = 0; bt < BT; bt++) o.set(bias, bt * OC);
      g.sgemm(false, false, BT, OC, C, 1, f32(inp, 'inp'), 0, C, f32(w, 'w'), 0, OC, bias ? 1 : 0, o, 0, OC);
    },
    matmulBackward(dinp, dw, dbias, dout, inp, w, BT, C, OC) {
      const d = f32(dout, 'dout');
      g.sgemm(false, true, BT, C, OC, 1, d, 0, OC, f32(w, 'w'), 0, OC, 1, f32(dinp, 'dinp'), 0, C);
      g.sgemm(true, false, C, OC, BT, 1, f32(inp, 'inp'), 0, C, d, 0, OC, 1, f32(dw, 'dw'), 0, OC);
      if (dbias) out.biasBackward(dbias, d, BT, OC);
    },
    matmulForwardT(out, inp, w, BT, C, OC) {
      g.sgemm(false, true, BT, OC, C, 1, f32(inp, 'inp'), 0, C, f32(w, 'w'), 0, C, 0, f32(out, 'out'), 0, OC);
    },
    matmulBackwardT(dinp, dw, dout, inp, w, BT, C, OC) {
      const d = f32(dout, 'dout');
      g.sgemm(false, false, BT, C, OC, 1, d, 0, OC, f32(w, 'w'), 0, C, 1, f32(dinp, 'dinp'), 0, C);
      g.sgemm(true, false, OC, C, BT, 1, d, 0, OC, f32(inp, 'inp'), 0, C, 1, f32(dw, 'dw'), 0, C);
    },
    layernormForward: Ref.layernormForward,
    layernormBackward: Ref.layernormBackward,
    geluForward: Portable.geluForward,
    geluBackward: Portable.geluBackward,
    softmaxXent: Ref.softmaxXent,
    xentBackward: Ref.xentBackward,
    adamw: Ref.adamw,
    sumSquares: Ref.sumSquares,
    scale: Ref.scale,
    zero: Ref.zero,
    residualForward: Ref.residualForward,
    encoderForward: Ref.encoderForward,
    encoderBackward: Ref.encoderBackward,
    biasBackward: Ref.biasBackward,

    attentionForward: (out, preatt, att, qkv, B, T, C, NH) => attentionForward(g, out, preatt, att, qkv, B, T, C, NH),
    attentionBackward: (dqkv, dpreatt, datt, dout, qkv, att, B, T, C, NH) => attentionBackward(g, dqkv, dpreatt, datt, dout, qkv, att, B, T, C, NH),
  };
  const out: Kernels = { ...set, ...overrides };
  return out;
}

/** Per (batch, head): preatt = scale·Q·Kᵀ, causal softmax, out = att·V. */
function attentionForward(g: Gemm, out: Arr, preatt: Arr, att: Arr, qkv: Arr, B: number, T: number, C: number, NH: number): void {
  const hs = C / NH;
  const scale = 1 / Math.sqrt(hs);
  const q = f32(qkv, 'qkv'), pre = f32(preatt, 'preatt'), at = f32(att, 'att'), o = f32(out, 'out');
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      const qOff = b * T * 3 * C + h * hs;
      const aOff = (b * NH + h) * T * T;
      g.sgemm(false, true, T, T, hs, scale, q, qOff, 3 * C, q, qOff + C, 3 * C, 0, pre, aOff, T);
      for (let t = 0; t < T; t++) {
        const r = aOff + t * T;
        let max = -Infinity;
        for (let t2 = 0; t2 <= t; t2++) if (pre[r + t2]! > max) max = pre[r + t2]!;
        let sum = 0;
        for (let t2 = 0; t2 <= t; t2++) {
          const e = Math.exp(pre[r + t2]! - max);
          at[r + t2] = e;
          sum += e;
        }
        const inv = 1 / sum;
        for (let t2 = 0; t2 <= t; t2++) at[r + t2]! *= inv;
        at.fill(0, r + t + 1, r + T);
      }
      g.sgemm(false, false, T, hs, T, 1, at, aOff, T, q, qOff + 2 * C, 3 * C, 0, o, b * T * C + h * hs, C);
    }
  }
}

/** dpreatt and datt are scratch here (overwritten); dqkv accumulates. */
function attentionBackward(g: Gemm, dqkv: Arr, dpreatt: Arr, datt: Arr, dout: Arr, qkv: Arr, att: Arr, B: number, T: number, C: number, NH: number): void {
  const hs = C / NH;
  const scale = 1 / Math.sqrt(hs);
  const q = f32(qkv, 'qkv'), dq = f32(dqkv, 'dqkv'), at = f32(att, 'att'), dp = f32(dpreatt, 'dpreatt'), da = f32(datt, 'datt'), d = f32(dout, 'dout');
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      const qOff = b * T * 3 * C + h * hs;
      const kOff = qOff + C, vOff = qOff + 2 * C;
      const oOff = b * T * C + h * hs;
      const aOff = (b * NH + h) * T * T;
      g.sgemm(false, true, T, T, hs, 1, d, oOff, C, q, vOff, 3 * C, 0, da, aOff, T);
      g.sgemm(true, false, T, hs, T, 1, at, aOff, T, d, oOff, C, 1, dq, vOff, 3 * C);
      // softmax backward, row by row: dpre = att ⊙ (datt − Σ att·datt)
      for (let t = 0; t < T; t++) {
        const r = aOff + t * T;
        let s = 0;
        for (let t2 = 0; t2 <= t; t2++) s += at[r + t2]! * da[r + t2]!;
        for (let t2 = 0; t2 <= t; t2++) dp[r + t2] = at[r + t2]! * (da[r + t2]! - s);
        dp.fill(0, r + t + 1, r + T);
      }
      g.sgemm(false, false, T, hs, T, scale, dp, aOff, T, q, kOff, 3 * C, 1, dq, qOff, 3 * C);
      g.sgemm(true, false, T, hs, T, scale, dp, aOff, T, q, qOff, 3 * C, 1, dq, kOff, 3 * C);
    }
  }
}
