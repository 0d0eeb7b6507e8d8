/**
 * Per-operation timing of a training step (issue #17's breakdown): a kernel set wrapped so
 * each call's wall time is added to the part of the step it belongs to. Used by the bench
 * (bench/train-profile.mjs), never by `rle train` itself: the wrapper costs a clock read per
 * call. Kernels a set calls internally (a linear layer's bias gradient) count as their caller.
 */
import type { Kernels } from './types.js';

export const OP_GROUPS = ['GEMM', 'attention', 'GELU', 'layernorm', 'softmax/cross-entropy', 'AdamW', 'gradient clipping', 'memory traffic'] as const;
export type OpGroup = (typeof OP_GROUPS)[number];

/** Which part of the step each kernel is. Memory traffic: zeroing, residual adds, embeddings. */
export const OP_GROUP: Readonly<Record<keyof Kernels, OpGroup>> = {
  matmulForward: 'GEMM',
  matmulBackward: 'GEMM',
  matmulForwardT: 'GEMM',
  matmulBackwardT: 'GEMM',
  biasBackward: 'GEMM',
  attentionForward: 'attention',
  attentionBackward: 'attention',
  geluForward: 'GELU',
  geluBackward: 'GELU',
  layernormForward: 'layernorm',
  layernormBackward: 'layernorm',
  softmaxXent: 'softmax/cross-entropy',
  xentBackward: 'softmax/cross-entropy',
  adamw: 'AdamW',
  sumSquares: 'gradient clipping',
  scale: 'gradient clipping',
  zero: 'memory traffic',
  residualForward: 'memory traffic',
  encoderForward: 'memory traffic',
  encoderBackward: 'memory traffic',
};

/** Milliseconds per group, summed since the last reset. */
export class OpProfile {
  readonly ms = new Map<OpGroup, number>(OP_GROUPS.map((g) => [g, 0]));

  add(group: OpGroup, ms: number): void {
    this.ms.set(group, this.ms.get(group)! + ms);
  }

  reset(): void {
    for (const g of OP_GROUPS) this.ms.set(g, 0);
  }

  total(): number {
    let s = 0;
    for (const v of this.ms.values()) s += v;
    return s;
  }
}

export function profileKernels(k: Kernels, prof: OpProfile): Kernels {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(OP_GROUP) as (keyof Kernels)[]) {
    const fn = k[name] as (...a: unknown[]) => unknown;
    const group = OP_GROUP[name];
    out[name] = (...a: unknown[]): unknown => {
      const t0 = performance.now();
      try {
        return fn(...a);
      } finally {
        prof.add(group, performance.now() - t0);
      }
    };
  }
  return out as unknown as Kernels;
}
