/**
 * The portable kernels of the GPT-2 trainer, in plain TypeScript, after llm.c's train_gpt2.c:
 * forward and backward of each layer over flat row-major arrays. Shapes: B batch, T time,
 * C channels, OC output channels, NH heads. Backward functions accumulate (+=) into gradients.
 * These are the reference path; faster kernels must agree with them.
 */
export type Arr = Float32Array | Float64Array;

/** out[bt, o] = b[o] + Σ_c inp[bt, c] · w[c, o] — weight in Conv1D layout [C, OC]. */
export function matmulForward(out: Arr, inp: Arr, w: Arr, bias: Arr | null, BT: number, C: number, OC: number): void {
  for (let bt = 0; bt < BT; bt++) {
    const o0 = bt * OC;
    for (let o = 0; o < OC; o++) out[o0 + o] = bias ? bias[o]! : 0;
    const i0 = bt * C;
    for (let c = 0; c < C; c++) {
      const a = inp[i0 + c]!;
      const w0 = c * OC;
      for (let o = 0; o < OC; o++) out[o0 + o]! += a * w[w0 + o]!;
    }
  }
}

export function matmulBackward(dinp: Arr, dw: Arr, dbias: Arr | null, dout: Arr, inp: Arr, w: Arr, BT: number, C: number, OC: number): void {
  for (let bt = 0; bt < BT; bt++) {
    const o0 = bt * OC;
    const i0 = bt * C;
    for (let c = 0; c < C; c++) {
      const w0 = c * OC;
      const a = inp[i0 + c]!;
      let s = 0;
      for (let o = 0; o < OC; o++) {
        const d = dout[o0 + o]!;
        s += d * w[w0 + o]!;
        dw[w0 + o]! += a * d;
      }
      dinp[i0 + c]! += s;
    }
    if (dbias) for (let o = 0; o < OC; o++) dbias[o]! += dout[o0 + o]!;
  }
}

/** out[bt, v] = Σ_c inp[bt, c] · w[v, c] — weight in Linear layout [OC, C] (the tied LM head). */
export function matmulForwardT(out: Arr, inp: Arr, w: Arr, BT: number, C: number, OC: number): void {
  for (let bt = 0; bt < BT; bt++) {
    const i0 = bt * C;
    for (let v = 0; v < OC; v++) {
      const w0 = v * C;
      let s = 0;
      for (let c = 0; c < C; c++) s += inp[i0 + c]! * w[w0 + c]!;
      out[bt * OC + v] = s;
    }
  }
}

export function matmulBackwardT(dinp: Arr, dw: Arr, dout: Arr, inp: Arr, w: Arr, BT: number, C: number, OC: number): void {
  for (let bt = 0; bt < BT; bt++) {
    const i0 = bt * C;
    for (let v = 0; v < OC; v++) {
      const d = dout[bt * OC + v]!;
      if (d === 0) continue;
      const w0 = v * C;
      for (let c = 0; c < C; c++) {
        dinp[i0 + c]! += d * w[w0 + c]!;
        dw[w0 + c]! += d * inp[i0 + c]!;
      }
    }
  }
}

export function layernormForward(out: Arr, mean: Arr, rstd: Arr, inp: Arr, w: Arr, b: Arr, BT: number, C: number, eps: number): void {
  for (let bt = 0; bt < BT; bt++) {
    const x0 = bt * C;
    let m = 0;
    for (let c = 0; c < C; c++) m += inp[x0 + c]!;
    m /= C;
    let v = 0;
    for (let c = 0; c < C; c++) {
      const d = inp[x0 + c]! - m;
      v += d * d;
    }
    const s = 1 / Math.sqrt(v / C + eps);
    for (let c = 0; c < C; c++) out[x0 + c] = (inp[x0 + c]! - m) * s * w[c]! + b[c]!;
    mean[bt] = m;
    rstd[bt] = s;
  }
}

export function layernormBackward(dinp: Arr, dw: Arr, db: Arr, dout: Arr, inp: Arr, w: Arr, mean: Arr, rstd: Arr, BT: number, C: number): void {
  for (let bt = 0; bt < BT; bt++) {
    const x0 = bt * C;
    const m = mean[bt]!;
    const s = rstd[bt]!;
    let dnormMean = 0;
    let dnormNormMean = 0;
    for (let c = 0; c < C; c++) {
      const norm = (inp[x0 + c]! - m) * s;
      const dnorm = w[c]! * dout[x0 + c]!;
      dnormMean += dnorm;
      dnormNormMean += dnorm * norm;
    }
    dnormMean /= C;
    dnormNormMean /= C;
    for (let c = 0; c < C; c++) {
      const norm = (inp[x0 + c]! - m) * s;
      const d = dout[x0 + c]!;
      db[c]! += d;
      dw[c]! += norm * d;
      dinp[x0 + c]! += (w[c]! * d - dnormMean - norm * dnormNormMean) * s;
    }
  }
}

/**
 * Causal multi-head attention. qkv [B, T, 3C] (q, k, v side by side), out [B, T, C];
 * preatt and att [B, NH, T, T] are kept for backward.
 */
export function attentionForward(out: Arr, preatt: Arr, att: Arr, qkv: Arr, B: number, T: number, C: number, NH: number): void {
  const hs = C / NH;
  const scale = 1 / Math.sqrt(hs);
  const C3 = 3 * C;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let h = 0; h < NH; h++) {
        const q0 = (b * T + t) * C3 + h * hs;
        const a0 = ((b * NH + h) * T + t) * T;
        let max = -Infinity;
        for (let t2 = 0; t2 <= t; t2++) {
          const k0 = (b * T + t2) * C3 + C + h * hs;
          let s = 0;
          for (let i = 0; i < hs; i++) s += qkv[q0 + i]! * qkv[k0 + i]!;
          s *= scale;
          preatt[a0 + t2] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let t2 = 0; t2 <= t; t2++) {
          const e = Math.exp(preatt[a0 + t2]! - max);
          att[a0 + t2] = e;
          sum += e;
        }
        for (let t2 = 0; t2 < T; t2++) att[a0 + t2] = t2 <= t ? att[a0 + t2]! / sum : 0;
        const o0 = (b * T + t) * C + h * hs;
        for (let i = 0; i < hs; i++) out[o0 + i] = 0;
        for (let t2 = 0; t2 <= t; t2++) {
          const v0 = (b * T + t2) * C3 + 2 * C + h * hs;
          const a = att[a0 + t2]!;
          for (let i = 0; i < hs; i++) out[o0 + i]! += a * qkv[v0 + i]!;
        }
      }
    }
  }
}

export function attentionBackward(dqkv: Arr, dpreatt: Arr, datt: Arr, dout: Arr, qkv: Arr, att: Arr, B: number, T: number, C: number, NH: number): void {
  const hs = C / NH;
  const scale = 1 / Math.sqrt(hs);
  const C3 = 3 * C;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let h = 0; h < NH; h++) {
        const a0 = ((b * NH + h) * T + t) * T;
        const q0 = (b * T + t) * C3 + h * hs;
        const o0 = (b * T + t) * C + h * hs;
        // out = att · v
        for (let t2 = 0; t2 <= t; t2++) {
          const v0 = (b * T + t2) * C3 + 2 * C + h * hs;
          let s = 0;
          for (let i = 0; i < hs; i++) {
            s += qkv[v0 + i]! * dout[o0 + i]!;
            dqkv[v0 + i]! += att[a0 + t2]! * dout[o0 + i]!;
          }
          datt[a0 + t2]! += s;
        }
        // softmax: dpreatt[t3] = Σ_t2 att[t2] (δ(t2, t3) − att[t3]) datt[t2]
        for (let t2 = 0; t2 <= t; t2++) {
          const a2 = att[a0 + t2]!;
          const d2 = datt[a0 + t2]!;
          for (let t3 = 0; t3 <= t; t3++) dpreatt[a0 + t3]! += a2 * ((t2 === t3 ? 1 : 0) - att[a0 + t3]!) * d2;
        }
        // preatt = scale · q · k
        for (let t2 = 0; t2 <= t; t2++) {
          const k0 = (b * T + t2) * C3 + C + h * hs;
          const d = dpreatt[a0 + t2]! * scale;
          for (let i = 0; i < hs; i++) {
            dqkv[q0 + i]! += qkv[k0 + i]! * d;
            dqkv[k0 + i]! += qkv[q0 + i]! * d;
          }
        }
      }
    }
  }
}

const GELU_S = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation (HF's gelu_new). */
export function geluForward(out: Arr, inp: Arr, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = inp[i]!;
    out[i] = 0.5 * x * (1 + Math.tanh(GELU_S * (x + 0.044715 * x * x * x)));
  }
}

export function geluBackward(dinp: Arr, inp: Arr, dout: Arr, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = inp[i]!;
    const u = GELU_S * (x + 0.044715 * x * x * x);
    const th = Math.tanh(u);
    const sech2 = 1 - th * th;
    const g = 0.5 * (1 + th) + 0.5 * x * sech2 * GELU_S * (1 + 3 * 0.044715 * x * x);
    dinp[i]! += g * dout[i]!;
  }
}

/**
 * AdamW's update of one tensor, PyTorch semantics: m, v moments updated in place, decoupled
 * decay as w·shrink (shrink = 1 − lr·wd), step = stepSize·m / (√v / √bc2 + eps). `gradScale`
 * is gradient clipping folded in: the gradient used is float32(g · gradScale), what
 * clip_grad_norm_ would have left in g (g itself is not changed).
 */
export function adamw(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, beta1: number, beta2: number, eps: number, shrink: number, stepSize: number, sqrtBc2: number, gradScale = 1): void {
  // constants out of the loop, one loop per case: V8 hoists neither (1.5× measured)
  const c1 = 1 - beta1, c2 = 1 - beta2, n = w.length;
  if (gradScale === 1) {
    for (let j = 0; j < n; j++) {
      const gj = g[j]!;
      const mj = beta1 * m[j]! + c1 * gj;
      const vj = beta2 * v[j]! + c2 * gj * gj;
      m[j] = mj;
      v[j] = vj;
      w[j] = w[j]! * shrink - (stepSize * mj) / (Math.sqrt(vj) / sqrtBc2 + eps);
    }
    return;
  }
  for (let j = 0; j < n; j++) {
    const gj = Math.fround(g[j]! * gradScale);
    const mj = beta1 * m[j]! + c1 * gj;
    const vj = beta2 * v[j]! + c2 * gj * gj;
    m[j] = mj;
    v[j] = vj;
    w[j] = w[j]! * shrink - (stepSize * mj) / (Math.sqrt(vj) / sqrtBc2 + eps);
  }
}

export function sumSquares(a: Arr): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j]! * a[j]!;
  return s;
}

export function scale(a: Arr, c: number): void {
  for (let j = 0; j < a.length; j++) a[j]! *= c;
}

export function zero(a: Arr): void {
  a.fill(0);
}

/** out = a + b over n elements (the residual connections). */
export function residualForward(out: Arr, a: Arr, b: Arr, n: number): void {
  for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
}

/** out[b, t] = wte[inputs[b, t]] + wpe[t]: token plus position embedding, [B, T, C]. */
export function encoderForward(out: Arr, inputs: Int32Array, wte: Arr, wpe: Arr, B: number, T: number, C: number): void {
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const o = (b * T + t) * C, e = inputs[b * T + t]! * C, p = t * C;
      for (let c = 0; c < C; c++) out[o + c] = wte[e + c]! + wpe[p + c]!;
    }
  }
}

export function encoderBackward(dwte: Arr, dwpe: Arr, dout: Arr, inputs: Int32Array, B: number, T: number, C: number): void {
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const o = (b * T + t) * C, e = inputs[b * T + t]! * C, p = t * C;
      for (let c = 0; c < C; c++) {
        const d = dout[o + c]!;
        dwte[e + c]! += d;
        dwpe[p + c]! += d;
      }
    }
  }
}

/** dbias[o] += Σ_bt dout[bt, o]: a linear layer's bias gradient. */
export function biasBackward(dbias: Arr, dout: Arr, BT: number, OC: number): void {
  for (let bt = 0; bt < BT; bt++) {
    const o0 = bt * OC;
    for (let o = 0; o < OC; o++) dbias[o]! += dout[o0 + o]!;
  }
}

/**
 * Logits [rows, V] → probabilities in place; returns [Σ −log p(target), counted rows], rows
 * whose target is `ignore` not counted.
 */
export function softmaxXent(logits: Arr, targets: Int32Array, rows: number, V: number, ignore: number): [number, number] {
  let lossSum = 0;
  let count = 0;
  for (let r = 0; r < rows; r++) {
    const row = r * V;
    let max = -Infinity;
    for (let v = 0; v < V; v++) if (logits[row + v]! > max) max = logits[row + v]!;
    let sum = 0;
    for (let v = 0; v < V; v++) sum += logits[row + v] = Math.exp(logits[row + v]! - max);
    for (let v = 0; v < V; v++) logits[row + v]! /= sum;
    const target = targets[r]!;
    if (target !== ignore) {
      lossSum -= Math.log(logits[row + target]!);
      count++;
    }
  }
  return [lossSum, count];
}

/** dlogits = (probs − onehot(target)) / count; rows with the ignored target get 0. dlogits may be probs (in place). */
export function xentBackward(probs: Arr, targets: Int32Array, rows: number, V: number, ignore: number, dlogits: Arr, count: number): void {
  for (let r = 0; r < rows; r++) {
    const target = targets[r]!;
    const row = r * V;
    if (target === ignore) {
      dlogits.fill(0, row, row + V);
      continue;
    }
    for (let v = 0; v < V; v++) dlogits[row + v] = probs[row + v]! / count;
    dlogits[row + target]! -= 1 / count;
  }
}
