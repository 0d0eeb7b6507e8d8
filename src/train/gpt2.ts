/**
 * GPT-2 as Hugging Face defines it (learned positions, pre-LayerNorm blocks, fused qkv in
 * Conv1D layout [in, out], tanh GELU, final LayerNorm, LM head tied to wte), with forward,
 * loss and backward over the portable kernels. Parameters are keyed by HF names without the
 * `transformer.` prefix, so checkpoints load by name. The array type is a parameter: float32
 * for training, float64 for exact gradient checks. Kernels are a parameter too (kernels/select.ts).
 */
import type { Gpt2Config } from './gpt2-config.js';
import { expectedGpt2Shapes } from './gpt2-config.js';
import * as Ref from './kernels/js.js';
import type { Arr } from './kernels/js.js';
import type { Kernels } from './kernels/types.js';

/** Makes the model's arrays (zeroed): float32 for training, float64 for gradient checks; a kernel set may place them (kernels/wasm.ts). */
export type Alloc = (n: number) => Arr;
const f32: Alloc = (n) => new Float32Array(n);

/** HF's ignored label. */
export const IGNORE = -100;

/**
 * Hugging Face's GPT2LMHeadModel labels are the input ids themselves (it shifts inside): position
 * t predicts labels[t + 1], and the last position of each row predicts nothing.
 */
export function hfLabelsToTargets(labels: Int32Array, B: number, T: number): Int32Array {
  const targets = new Int32Array(B * T).fill(IGNORE);
  for (let b = 0; b < B; b++) for (let t = 0; t + 1 < T; t++) targets[b * T + t] = labels[b * T + t + 1]!;
  return targets;
}

interface LayerActs {
  ln1: Arr; ln1Mean: Arr; ln1Rstd: Arr; qkv: Arr; atty: Arr; preatt: Arr; att: Arr;
  attproj: Arr; res2: Arr; ln2: Arr; ln2Mean: Arr; ln2Rstd: Arr; fch: Arr; fchGelu: Arr; fcproj: Arr; res3: Arr;
}

export class Gpt2 {
  readonly params = new Map<string, Arr>();
  readonly grads = new Map<string, Arr>();
  /** Logits of the last forward when it was asked to keep them. */
  lastLogits: Arr | null = null;
  private acts: { B: number; T: number; inputs: Int32Array; targets: Int32Array; encoded: Arr; layers: LayerActs[]; lnf: Arr; lnfMean: Arr; lnfRstd: Arr; probs: Arr; count: number } | null = null;

  constructor(
    readonly cfg: Gpt2Config,
    private readonly alloc: Alloc = f32,
    /** The layer kernels; the reference (plain TypeScript, any float type) unless faster ones are given. */
    private readonly k: Kernels = Ref,
  ) {
    for (const [name, shape] of expectedGpt2Shapes(cfg)) {
      const n = shape.reduce((a, b) => a * b, 1);
      this.params.set(name, alloc(n));
      this.grads.set(name, alloc(n));
    }
  }

  /**
   * Activation and gradient scratch, kept across steps: on Linux a fresh large array costs a
   * page fault per 4 KiB on first touch (measured here: ~0.5 s per 100 MB), more than the
   * step's arithmetic on it. Contents are stale: callers overwrite or zero them.
   */
  private readonly scratch = new Map<string, Arr>();

  /** (A new size allocates anew: with an arena allocator the old array's space is not reused — batch shapes are fixed per run.) */
  private buf(key: string, n: number, zero = false): Arr {
    let a = this.scratch.get(key);
    if (!a || a.length !== n) {
      a = this.alloc(n);
      this.scratch.set(key, a);
    } else if (zero) this.k.zero(a);
    return a;
  }

  p(name: string): Arr {
    return this.params.get(name)!;
  }

  private g(name: string): Arr {
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
   * Mean cross-entropy of next-token prediction. `targets[b·T + t]` is the token position t
   * must predict (already shifted, as nanoGPT/llm.c and the PyTorch reference hold them; see
   * hfLabelsToTargets for Hugging Face's unshifted labels); IGNORE (-100) positions do not count.
   * With `keepLogits`, a copy of the logits [B·T, V] is kept in `lastLogits` (for checks).
   */
  forward(inputs: Int32Array, targetsIn: Int32Array, B: number, T: number, keepLogits = false): number {
    const { nEmbd: C, nHead: NH, vocabSize: V, nLayer: L, layerNormEpsilon: eps } = this.cfg;
    const BT = B * T;
    const encoded = this.buf('encoded', BT * C);
    const wte = this.p('wte.weight');
    this.k.encoderForward(encoded, inputs, wte, this.p('wpe.weight'), B, T, C);
    const layers: LayerActs[] = [];
    let residual: Arr = encoded;
    for (let l = 0; l < L; l++) {
      const n = (s: string): Arr => this.p(`h.${l}.${s}`);
      const f = (k: string, len: number): Arr => this.buf(`h.${l}.${k}`, len);
      const a: LayerActs = {
        ln1: f('ln1', BT * C), ln1Mean: f('ln1Mean', BT), ln1Rstd: f('ln1Rstd', BT), qkv: f('qkv', BT * 3 * C), atty: f('atty', BT * C),
        preatt: f('preatt', B * NH * T * T), att: f('att', B * NH * T * T), attproj: f('attproj', BT * C), res2: f('res2', BT * C),
        ln2: f('ln2', BT * C), ln2Mean: f('ln2Mean', BT), ln2Rstd: f('ln2Rstd', BT), fch: f('fch', BT * 4 * C), fchGelu: f('fchGelu', BT * 4 * C),
        fcproj: f('fcproj', BT * C), res3: f('res3', BT * C),
      };
      this.k.layernormForward(a.ln1, a.ln1Mean, a.ln1Rstd, residual, n('ln_1.weight'), n('ln_1.bias'), BT, C, eps);
      this.k.matmulForward(a.qkv, a.ln1, n('attn.c_attn.weight'), n('attn.c_attn.bias'), BT, C, 3 * C);
      this.k.attentionForward(a.atty, a.preatt, a.att, a.qkv, B, T, C, NH);
      this.k.matmulForward(a.attproj, a.atty, n('attn.c_proj.weight'), n('attn.c_proj.bias'), BT, C, C);
      this.k.residualForward(a.res2, residual, a.attproj, BT * C);
      this.k.layernormForward(a.ln2, a.ln2Mean, a.ln2Rstd, a.res2, n('ln_2.weight'), n('ln_2.bias'), BT, C, eps);
      this.k.matmulForward(a.fch, a.ln2, n('mlp.c_fc.weight'), n('mlp.c_fc.bias'), BT, C, 4 * C);
      this.k.geluForward(a.fchGelu, a.fch, BT * 4 * C);
      this.k.matmulForward(a.fcproj, a.fchGelu, n('mlp.c_proj.weight'), n('mlp.c_proj.bias'), BT, 4 * C, C);
      this.k.residualForward(a.res3, a.res2, a.fcproj, BT * C);
      layers.push(a);
      residual = a.res3;
    }
    const lnf = this.buf('lnf', BT * C);
    const lnfMean = this.buf('lnfMean', BT);
    const lnfRstd = this.buf('lnfRstd', BT);
    this.k.layernormForward(lnf, lnfMean, lnfRstd, residual, this.p('ln_f.weight'), this.p('ln_f.bias'), BT, C, eps);
    const probs = this.buf('probs', BT * V);
    this.k.matmulForwardT(probs, lnf, wte, BT, C, V); // logits, turned into probabilities below
    this.lastLogits = keepLogits ? probs.slice() : null;
    const targets = Int32Array.from(targetsIn.subarray(0, BT));
    const [lossSum, count] = this.k.softmaxXent(probs, targets, BT, V, IGNORE);
    this.acts = { B, T, inputs, targets, encoded, layers, lnf, lnfMean, lnfRstd, probs, count };
    return count > 0 ? lossSum / count : NaN;
  }

  zeroGrad(): void {
    for (const g of this.grads.values()) this.k.zero(g);
  }

  /**
   * Gradients of the last forward's loss, accumulated into `grads`. The gradient of the logits
   * is computed in place of the probabilities (a 100 MB buffer at GPT-2's vocabulary and
   * 512 tokens, not allocated, zeroed and read twice), so one backward per forward.
   */
  backward(): void {
    const A = this.acts;
    if (!A) throw new Error('backward() before forward()');
    const { nEmbd: C, nHead: NH, vocabSize: V, nLayer: L } = this.cfg;
    const { B, T } = A;
    const BT = B * T;
    // d loss / d logits = (p − onehot) / count on counted positions, over the probabilities
    const dlogits = A.probs;
    if (A.count > 0) this.k.xentBackward(A.probs, A.targets, BT, V, IGNORE, dlogits, A.count);
    else this.k.zero(dlogits);
    const dlnf = this.buf('dlnf', BT * C, true);
    this.k.matmulBackwardT(dlnf, this.g('wte.weight'), dlogits, A.lnf, this.p('wte.weight'), BT, C, V);
    this.acts = null; // the probabilities are gone
    // One buffer carries the residual stream's gradient down the layers: each LayerNorm's
    // backward adds its input gradient into it, after the branch that reads it is done.
    const dres = this.buf('dres', BT * C, true);
    const last = L > 0 ? A.layers[L - 1]!.res3 : A.encoded;
    this.k.layernormBackward(dres, this.g('ln_f.weight'), this.g('ln_f.bias'), dlnf, last, this.p('ln_f.weight'), A.lnfMean, A.lnfRstd, BT, C);
    const z = (k: string, len: number): Arr => this.buf(k, len, true);
    for (let l = L - 1; l >= 0; l--) {
      const a = A.layers[l]!;
      const input = l === 0 ? A.encoded : A.layers[l - 1]!.res3;
      const n = (s: string): Arr => this.p(`h.${l}.${s}`);
      const gn = (s: string): Arr => this.g(`h.${l}.${s}`);
      // res3 = res2 + fcproj: dres (= d res3) is the MLP's output gradient, then gains LN2's input gradient (→ d res2)
      const dfchGelu = z('dfchGelu', BT * 4 * C);
      this.k.matmulBackward(dfchGelu, gn('mlp.c_proj.weight'), gn('mlp.c_proj.bias'), dres, a.fchGelu, n('mlp.c_proj.weight'), BT, 4 * C, C);
      const dfch = z('dfch', BT * 4 * C);
      this.k.geluBackward(dfch, a.fch, dfchGelu, BT * 4 * C);
      const dln2 = z('dln2', BT * C);
      this.k.matmulBackward(dln2, gn('mlp.c_fc.weight'), gn('mlp.c_fc.bias'), dfch, a.ln2, n('mlp.c_fc.weight'), BT, C, 4 * C);
      this.k.layernormBackward(dres, gn('ln_2.weight'), gn('ln_2.bias'), dln2, a.res2, n('ln_2.weight'), a.ln2Mean, a.ln2Rstd, BT, C);
      // res2 = input + attproj: likewise, d res2 → d input
      const datty = z('datty', BT * C);
      this.k.matmulBackward(datty, gn('attn.c_proj.weight'), gn('attn.c_proj.bias'), dres, a.atty, n('attn.c_proj.weight'), BT, C, C);
      const dqkv = z('dqkv', BT * 3 * C);
      this.k.attentionBackward(dqkv, z('dpreatt', B * NH * T * T), z('datt', B * NH * T * T), datty, a.qkv, a.att, B, T, C, NH);
      const dln1 = z('dln1', BT * C);
      this.k.matmulBackward(dln1, gn('attn.c_attn.weight'), gn('attn.c_attn.bias'), dqkv, a.ln1, n('attn.c_attn.weight'), BT, C, 3 * C);
      this.k.layernormBackward(dres, gn('ln_1.weight'), gn('ln_1.bias'), dln1, input, n('ln_1.weight'), a.ln1Mean, a.ln1Rstd, BT, C);
    }
    this.k.encoderBackward(this.g('wte.weight'), this.g('wpe.weight'), dres, A.inputs, B, T, C);
  }
}
