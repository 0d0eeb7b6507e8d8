/** A kernel set: the operations GPT-2 training needs, with the signatures of the reference kernels in js.ts. */
import type * as Ref from './js.js';

export type Kernels = Pick<
  typeof Ref,
  | 'matmulForward' | 'matmulBackward' | 'matmulForwardT' | 'matmulBackwardT'
  | 'layernormForward' | 'layernormBackward' | 'attentionForward' | 'attentionBackward'
  | 'geluForward' | 'geluBackward' | 'softmaxXent' | 'xentBackward'
  | 'adamw' | 'sumSquares' | 'scale' | 'zero'
  | 'residualForward' | 'encoderForward' | 'encoderBackward' | 'biasBackward'
>;
