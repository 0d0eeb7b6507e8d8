/**
 * The native kernel set: a Node-API addon (native/*.c) with AVX-512 / AVX2+FMA / portable C
 * micro-kernels, built from source by `npm ci` when the machine has a C toolchain. Every
 * kernel of a step runs there, on a persistent pool of `threads` threads (native/pool.c).
 * Loading it is optional: a missing or broken build is a reason string, and training falls back.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PKG_ROOT } from '../../package-root.js';
import type { Gemm } from './gemm.js';
import type { Arr } from './js.js';
import type { Kernels } from './types.js';

type F = Float32Array;

/** native/addon.c's functions; `threads` and `level` (ISA cap) trail the kernels' own arguments. */
interface Addon {
  init(level: number): string;
  sgemm(this: void, ...args: unknown[]): void;
  adamw(w: F, g: F, m: F, v: F, beta1: number, beta2: number, eps: number, shrink: number, stepSize: number, sqrtBc2: number, gradScale: number, threads: number, level: number): void;
  sumsq(a: F, threads: number): number;
  scale(a: F, c: number, threads: number): void;
  zero(a: F, threads: number): void;
  geluForward(out: F, inp: F, n: number, threads: number, level: number): void;
  geluBackward(dinp: F, inp: F, dout: F, n: number, threads: number, level: number): void;
  softmaxXent(logits: F, targets: Int32Array, rows: number, V: number, ignore: number, threads: number, level: number): [number, number];
  xentBackward(probs: F, targets: Int32Array, rows: number, V: number, ignore: number, dlogits: F, count: number, threads: number): void;
  layernormForward(out: F, mean: F, rstd: F, inp: F, w: F, b: F, rows: number, C: number, eps: number, threads: number, level: number): void;
  layernormBackward(dinp: F, dw: F, db: F, dout: F, inp: F, w: F, mean: F, rstd: F, rows: number, C: number, threads: number, level: number): void;
  add(out: F, a: F, b: F, n: number, threads: number): void;
  encoderForward(out: F, inp: Int32Array, wte: F, wpe: F, B: number, T: number, C: number): void;
  encoderBackward(dwte: F, dwpe: F, dout: F, inp: Int32Array, B: number, T: number, C: number): void;
  biasBackward(dbias: F, dout: F, rows: number, OC: number, threads: number): void;
  attentionForward(out: F, preatt: F, att: F, qkv: F, B: number, T: number, C: number, NH: number, threads: number, level: number): void;
  attentionBackward(dqkv: F, dpreatt: F, datt: F, dout: F, qkv: F, att: F, B: number, T: number, C: number, NH: number, threads: number, level: number): void;
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
  const f = (a: Arr): F => {
    if (!(a instanceof Float32Array)) throw new TypeError('native kernels take Float32Array (use the reference kernels for float64)');
    return a;
  };
  const t = threads, L = level;
  const ops: Partial<Kernels> = {
    adamw: (w, g, m, v, b1, b2, eps, shrink, stepSize, sqrtBc2, gradScale = 1) => addon.adamw(w, g, m, v, b1, b2, eps, shrink, stepSize, sqrtBc2, gradScale, t, L),
    sumSquares: (a) => addon.sumsq(f(a), t),
    scale: (a, c) => addon.scale(f(a), c, t),
    zero: (a) => addon.zero(f(a), t),
    geluForward: (out, inp, n) => addon.geluForward(f(out), f(inp), n, t, L),
    geluBackward: (dinp, inp, dout, n) => addon.geluBackward(f(dinp), f(inp), f(dout), n, t, L),
    softmaxXent: (logits, targets, rows, V, ignore) => addon.softmaxXent(f(logits), targets, rows, V, ignore, t, L),
    xentBackward: (probs, targets, rows, V, ignore, dlogits, count) => addon.xentBackward(f(probs), targets, rows, V, ignore, f(dlogits), count, t),
    layernormForward: (out, mean, rstd, inp, w, b, BT, C, eps) => addon.layernormForward(f(out), f(mean), f(rstd), f(inp), f(w), f(b), BT, C, eps, t, L),
    layernormBackward: (dinp, dw, db, dout, inp, w, mean, rstd, BT, C) =>
      addon.layernormBackward(f(dinp), f(dw), f(db), f(dout), f(inp), f(w), f(mean), f(rstd), BT, C, t, L),
    residualForward: (out, a, b, n) => addon.add(f(out), f(a), f(b), n, t),
    encoderForward: (out, inp, wte, wpe, B, T, C) => addon.encoderForward(f(out), inp, f(wte), f(wpe), B, T, C),
    encoderBackward: (dwte, dwpe, dout, inp, B, T, C) => addon.encoderBackward(f(dwte), f(dwpe), f(dout), inp, B, T, C),
    biasBackward: (dbias, dout, BT, OC) => addon.biasBackward(f(dbias), f(dout), BT, OC, t),
    attentionForward: (out, preatt, att, qkv, B, T, C, NH) => addon.attentionForward(f(out), f(preatt), f(att), f(qkv), B, T, C, NH, t, L),
    attentionBackward: (dqkv, dpreatt, datt, dout, qkv, att, B, T, C, NH) =>
      addon.attentionBackward(f(dqkv), f(dpreatt), f(datt), f(dout), f(qkv), f(att), B, T, C, NH, t, L),
  };
  return { gemm, isa: chosen, ops };
}
