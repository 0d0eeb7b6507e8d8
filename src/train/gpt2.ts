/**
 * GPT-2 as Hugging Face defines it (learned positions, pre-LayerNorm blocks, fused qkv in
 * Conv1D layout [in, out], tanh GELU, final LayerNorm, LM head tied to wte), with forward,
 * loss and backward over the portable kernels. Parameters are keyed by HF names without the
 * `transformer.` prefix, so checkpoints load by name. The array type is a parameter: float32
 * for training, float64 for exact gradient checks.
 */
import type { Gpt2Config } from './gpt2-config.js';
import { expectedGpt2Shapes } from './gpt2-config.js';
import * as K from './kernels/js.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

/** HF's ignored label. */
export const IGNORE = -100;

interface LayerActs {
  ln1: K.Arr; ln1Mean: K.Arr; ln1Rstd: K.Arr; qkv: K.Arr; atty: K.Arr; preatt: K.Arr; att: K.Arr;
  attproj: K.Arr; res2: K.Arr; ln2: K.Arr; ln2Mean: K.Arr; ln2Rstd: K.Arr; fch: K.Arr; fchGelu: K.Arr; fcproj: K.Arr; res3: K.Arr;
}

export class Gpt2 {
  readonly params = new Map<string, K.Arr>();
  readonly grads = new Map<string, K.Arr>();
  private acts: { B: number; T: number; inputs: Int32Array; targets: Int32Array; encoded: K.Arr; layers: LayerActs[]; lnf: K.Arr; lnfMean: K.Arr; lnfRstd: K.Arr; probs: K.Arr; count: number } | null = null;

  constructor(
    readonly cfg: Gpt2Config,
    private readonly F: Ctor = Float32Array,
  ) {
    for (const [name, shape] of expectedGpt2Shapes(cfg)) {
      const n = shape.reduce((a, b) => a * b, 1);
      this.params.set(name, new F(n));
      this.grads.set(name, new F(n));
    }
  }

  p(name: string): K.Arr {
    return this.params.get(name)!;
  }

  private g(name: string): K.Arr {
    return this.grads.get(name)!;
  }

  /** GPT-2's initialisation: N(0, 0.02) weights, residual projections scaled by 1/√(2L), zero biases, unit LayerNorm. */
  initRandom(rand: () => number): void {
    const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const projStd = 0.02 / Math.sqrt(2 * this.cfg.nLayer);
    for (const [name, a] of this.params) {
      if (/ln_\d\.weight$|ln_f\.weight$/.test(name)) a.fill(1);
      else if (name.endsWith('.bias')) a.fill(0);
      else {
        const std = /c_proj\.weight$/.test(name) ? projStd : 0.02;
        for (let i = 0; i < a.length; i++) a[i] = std * gauss();
      }
    }
  }

  /**
   * Mean cross-entropy of next-token prediction, as GPT2LMHeadModel computes it from labels:
   * position t predicts labels[t + 1]; labels of IGNORE (-100) do not count.
   */
  forward(inputs: Int32Array, labels: Int32Array, B: number, T: number): number {
    const { nEmbd: C, nHead: NH, vocabSize: V, nLayer: L, layerNormEpsilon: eps } = this.cfg;
    const F = this.F;
    const BT = B * T;
    const encoded = new F(BT * C);
    const wte = this.p('wte.weight');
    const wpe = this.p('wpe.weight');
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const tok = inputs[b * T + t]!;
        for (let c = 0; c < C; c++) encoded[(b * T + t) * C + c] = wte[tok * C + c]! + wpe[t * C + c]!;
      }
    }
    const layers: LayerActs[] = [];
    let residual: K.Arr = encoded;
    for (let l = 0; l < L; l++) {
      const n = (s: string): K.Arr => this.p(`h.${l}.${s}`);
      const a: LayerActs = {
        ln1: new F(BT * C), ln1Mean: new F(BT), ln1Rstd: new F(BT), qkv: new F(BT * 3 * C), atty: new F(BT * C),
        preatt: new F(B * NH * T * T), att: new F(B * NH * T * T), attproj: new F(BT * C), res2: new F(BT * C),
        ln2: new F(BT * C), ln2Mean: new F(BT), ln2Rstd: new F(BT), fch: new F(BT * 4 * C), fchGelu: new F(BT * 4 * C),
        fcproj: new F(BT * C), res3: new F(BT * C),
      };
      K.layernormForward(a.ln1, a.ln1Mean, a.ln1Rstd, residual, n('ln_1.weight'), n('ln_1.bias'), BT, C, eps);
      K.matmulForward(a.qkv, a.ln1, n('attn.c_attn.weight'), n('attn.c_attn.bias'), BT, C, 3 * C);
      K.attentionForward(a.atty, a.preatt, a.att, a.qkv, B, T, C, NH);
      K.matmulForward(a.attproj, a.atty, n('attn.c_proj.weight'), n('attn.c_proj.bias'), BT, C, C);
      for (let i = 0; i < BT * C; i++) a.res2[i] = residual[i]! + a.attproj[i]!;
      K.layernormForward(a.ln2, a.ln2Mean, a.ln2Rstd, a.res2, n('ln_2.weight'), n('ln_2.bias'), BT, C, eps);
      K.matmulForward(a.fch, a.ln2, n('mlp.c_fc.weight'), n('mlp.c_fc.bias'), BT, C, 4 * C);
      K.geluForward(a.fchGelu, a.fch, BT * 4 * C);
      K.matmulForward(a.fcproj, a.fchGelu, n('mlp.c_proj.weight'), n('mlp.c_proj.bias'), BT, 4 * C, C);
      for (let i = 0; i < BT * C; i++) a.res3[i] = a.res2[i]! + a.fcproj[i]!;
      layers.push(a);
      residual = a.res3;
    }
    const lnf = new F(BT * C);
    const lnfMean = new F(BT);
    const lnfRstd = new F(BT);
    K.layernormForward(lnf, lnfMean, lnfRstd, residual, this.p('ln_f.weight'), this.p('ln_f.bias'), BT, C, eps);
    const probs = new F(BT * V);
    K.matmulForwardT(probs, lnf, wte, BT, C, V); // logits, turned into probabilities below
    const targets = new Int32Array(BT).fill(IGNORE);
    let count = 0;
    let lossSum = 0;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const row = (b * T + t) * V;
        let max = -Infinity;
        for (let v = 0; v < V; v++) if (probs[row + v]! > max) max = probs[row + v]!;
        let sum = 0;
        for (let v = 0; v < V; v++) sum += probs[row + v] = Math.exp(probs[row + v]! - max);
        for (let v = 0; v < V; v++) probs[row + v]! /= sum;
        const target = t + 1 < T ? labels[b * T + t + 1]! : IGNORE;
        targets[b * T + t] = target;
        if (target !== IGNORE) {
          lossSum -= Math.log(probs[row + target]!);
          count++;
        }
      }
    }
    this.acts = { B, T, inputs, targets, encoded, layers, lnf, lnfMean, lnfRstd, probs, count };
    return count > 0 ? lossSum / count : NaN;
  }

  zeroGrad(): void {
    for (const g of this.grads.values()) g.fill(0);
  }

  /** Gradients of the last forward's loss, accumulated into `grads`. */
  backward(): void {
    const A = this.acts;
    if (!A) throw new Error('backward() before forward()');
    const { nEmbd: C, nHead: NH, vocabSize: V, nLayer: L } = this.cfg;
    const { B, T } = A;
    const BT = B * T;
    const F = this.F;
    // d loss / d logits = (p − onehot) / count on counted positions
    const dlogits = new F(BT * V);
    for (let i = 0; i < BT; i++) {
      const target = A.targets[i]!;
      if (target === IGNORE) continue;
      for (let v = 0; v < V; v++) dlogits[i * V + v] = (A.probs[i * V + v]! - (v === target ? 1 : 0)) / A.count;
    }
    const dlnf = new F(BT * C);
    K.matmulBackwardT(dlnf, this.g('wte.weight'), dlogits, A.lnf, this.p('wte.weight'), BT, C, V);
    let dres: K.Arr = new F(BT * C);
    const last = L > 0 ? A.layers[L - 1]!.res3 : A.encoded;
    K.layernormBackward(dres, this.g('ln_f.weight'), this.g('ln_f.bias'), dlnf, last, this.p('ln_f.weight'), A.lnfMean, A.lnfRstd, BT, C);
    for (let l = L - 1; l >= 0; l--) {
      const a = A.layers[l]!;
      const input = l === 0 ? A.encoded : A.layers[l - 1]!.res3;
      const n = (s: string): K.Arr => this.p(`h.${l}.${s}`);
      const gn = (s: string): K.Arr => this.g(`h.${l}.${s}`);
      // res3 = res2 + fcproj: dres flows to both
      const dres2 = new F(BT * C);
      dres2.set(dres);
      const dfchGelu = new F(BT * 4 * C);
      K.matmulBackward(dfchGelu, gn('mlp.c_proj.weight'), gn('mlp.c_proj.bias'), dres, a.fchGelu, n('mlp.c_proj.weight'), BT, 4 * C, C);
      const dfch = new F(BT * 4 * C);
      K.geluBackward(dfch, a.fch, dfchGelu, BT * 4 * C);
      const dln2 = new F(BT * C);
      K.matmulBackward(dln2, gn('mlp.c_fc.weight'), gn('mlp.c_fc.bias'), dfch, a.ln2, n('mlp.c_fc.weight'), BT, C, 4 * C);
      K.layernormBackward(dres2, gn('ln_2.weight'), gn('ln_2.bias'), dln2, a.res2, n('ln_2.weight'), a.ln2Mean, a.ln2Rstd, BT, C);
      // res2 = input + attproj
      const dinput = new F(BT * C);
      dinput.set(dres2);
      const datty = new F(BT * C);
      K.matmulBackward(datty, gn('attn.c_proj.weight'), gn('attn.c_proj.bias'), dres2, a.atty, n('attn.c_proj.weight'), BT, C, C);
      const dqkv = new F(BT * 3 * C);
      K.attentionBackward(dqkv, new F(B * NH * T * T), new F(B * NH * T * T), datty, a.qkv, a.att, B, T, C, NH);
      const dln1 = new F(BT * C);
      K.matmulBackward(dln1, gn('attn.c_attn.weight'), gn('attn.c_attn.bias'), dqkv, a.ln1, n('attn.c_attn.weight'), BT, C, 3 * C);
      K.layernormBackward(dinput, gn('ln_1.weight'), gn('ln_1.bias'), dln1, input, n('ln_1.weight'), a.ln1Mean, a.ln1Rstd, BT, C);
      dres = dinput;
    }
    const dwte = this.g('wte.weight');
    const dwpe = this.g('wpe.weight');
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const tok = A.inputs[b * T + t]!;
        for (let c = 0; c < C; c++) {
          const d = dres[(b * T + t) * C + c]!;
          dwte[tok * C + c]! += d;
          dwpe[t * C + c]! += d;
        }
      }
    }
  }
}
