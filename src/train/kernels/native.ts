/**
 * The native kernel set: a Node-API addon (native/*.c) with AVX-512 / AVX2+FMA / portable C
 * micro-kernels, built from source by `npm ci` when the machine has a C toolchain. Loading it
 * is optional: a missing or broken build is a reason string, and training falls back.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PKG_ROOT } from '../../package-root.js';
import type { Gemm } from './gemm.js';
import type { Arr } from './js.js';
import type { Kernels } from './types.js';

interface Addon {
  init(level: number): string;
  sgemm(this: void, ...args: unknown[]): void;
  adamw: Kernels['adamw'];
  sumsq(a: Float32Array): number;
  scale(a: Float32Array, c: number): void;
  geluForward(out: Float32Array, inp: Float32Array, n: number): void;
  geluBackward(dinp: Float32Array, inp: Float32Array, dout: Float32Array, n: number): void;
  softmaxXent(logits: Float32Array, targets: Int32Array, rows: number, V: number, ignore: number): [number, number];
  xentBackward(probs: Float32Array, targets: Int32Array, rows: number, V: number, ignore: number, dlogits: Float32Array, count: number): void;
}

export const ADDON_PATH = join(PKG_ROOT, 'build', 'Release', 'rle_kernels.node');

export type NativeLoad = { gemm: Gemm; isa: string; ops: Partial<Kernels> } | { gemm: null; reason: string };

/** isa: 'auto' picks the widest the CPU has; 'avx2' or 'generic' caps it (for benchmarks). */
export function loadNativeGemm(threads: number, isa: 'auto' | 'avx2' | 'generic' = 'auto'): NativeLoad {
  if (!existsSync(ADDON_PATH)) return { gemm: null, reason: `native kernels were not built (no ${ADDON_PATH}; see README, "Fast kernels")` };
  let addon: Addon;
  try {
    addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
  } catch (err) {
    return { gemm: null, reason: `native kernels failed to load: ${(err as Error).message.split('\n')[0]}` };
  }
  const level = isa === 'generic' ? 0 : isa === 'avx2' ? 1 : 2;
  const chosen = addon.init(level);
  const sgemm = addon.sgemm;
  const gemm: Gemm = {
    name: `native (${chosen}, ${threads} thread${threads === 1 ? '' : 's'})`,
    sgemm(ta, tb, M, N, K, alpha, A, oA, lda, B, oB, ldb, beta, C, oC, ldc) {
      sgemm(ta, tb, M, N, K, alpha, A, oA, lda, B, oB, ldb, beta, C, oC, ldc, threads, level);
    },
  };
  // The trainer's arrays are float32; float64 (gradient checks) never reaches these.
  const f = (a: Arr): Float32Array => a as Float32Array;
  const ops: Partial<Kernels> = {
    adamw: addon.adamw,
    sumSquares: (a) => addon.sumsq(f(a)),
    scale: (a, c) => addon.scale(f(a), c),
    geluForward: (out, inp, n) => addon.geluForward(f(out), f(inp), n),
    geluBackward: (dinp, inp, dout, n) => addon.geluBackward(f(dinp), f(inp), f(dout), n),
    softmaxXent: (logits, targets, rows, V, ignore) => addon.softmaxXent(f(logits), targets, rows, V, ignore),
    xentBackward: (probs, targets, rows, V, ignore, dlogits, count) => addon.xentBackward(f(probs), targets, rows, V, ignore, f(dlogits), count),
  };
  return { gemm, isa: chosen, ops };
}
