/**
 * AdamW exactly as PyTorch's torch.optim.AdamW (decoupled weight decay, bias-corrected moments),
 * and global-norm gradient clipping as torch.nn.utils.clip_grad_norm_. Parameters and gradients
 * are float32 arrays; arithmetic is in float64 per element, stored back as float32.
 */
import * as Ref from './kernels/js.js';
import type { Kernels } from './kernels/types.js';

export interface AdamWOptions {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
}

/** HF Trainer defaults: β 0.9/0.999, eps 1e-8, weight decay 0. */
export const ADAMW_DEFAULTS: AdamWOptions = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };

export interface Param {
  readonly name: string;
  readonly data: Float32Array;
  readonly grad: Float32Array;
  /** Weight decay applies to 2-D weights only (not biases, not LayerNorm parameters). */
  readonly decay: boolean;
}

export class AdamW {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;

  constructor(
    private readonly params: readonly Param[],
    private readonly o: AdamWOptions = ADAMW_DEFAULTS,
    /** The per-tensor update (kernels/js.ts adamw, or a native one with the same arithmetic). */
    private readonly update: Kernels['adamw'] = Ref.adamw,
    /** Where the moments live (zeroed float32): beside the parameters when the kernel set places arrays (kernels/wasm.ts). */
    alloc: (n: number) => Float32Array = (n) => new Float32Array(n),
  ) {
    this.m = params.map((p) => alloc(p.data.length));
    this.v = params.map((p) => alloc(p.data.length));
  }

  /** One update; `gradScale` applies clipping on the fly (clipScale), leaving the gradients as they are. */
  step(lr: number, gradScale = 1): void {
    this.t++;
    const { beta1, beta2, eps, weightDecay } = this.o;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    const stepSize = lr / bc1;
    const sqrtBc2 = Math.sqrt(bc2);
    this.params.forEach((p, i) => {
      const shrink = p.decay ? 1 - lr * weightDecay : 1;
      this.update(p.data, p.grad, this.m[i]!, this.v[i]!, beta1, beta2, eps, shrink, stepSize, sqrtBc2, gradScale);
    });
  }
}

/** The global L2 norm of all gradients (what HF logs as grad_norm). */
export function gradNorm(params: readonly Param[], k: Pick<Kernels, 'sumSquares'> = Ref): number {
  let ss = 0;
  for (const p of params) ss += k.sumSquares(p.grad);
  return Math.sqrt(ss);
}

/** clip_grad_norm_'s factor for a pre-clip norm: maxNorm / (norm + 1e-6) when below 1 (the 1e-6 guard is PyTorch's), else 1. */
export function clipScale(norm: number, maxNorm: number): number {
  const coef = maxNorm / (norm + 1e-6);
  return coef < 1 ? coef : 1;
}

/**
 * Scales all gradients so their global L2 norm is at most `maxNorm`; returns the norm before
 * clipping. The trainer does not call this: it passes clipScale to AdamW.step instead, which
 * saves a pass over every gradient.
 */
export function clipGradNorm(params: readonly Param[], maxNorm: number, k: Pick<Kernels, 'sumSquares' | 'scale'> = Ref): number {
  const norm = gradNorm(params, k);
  const coef = clipScale(norm, maxNorm);
  if (coef < 1) for (const p of params) k.scale(p.grad, coef);
  return norm;
}
