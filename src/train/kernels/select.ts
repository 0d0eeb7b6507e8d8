/**
 * Picks the trainer's kernel set: `auto` takes the fastest that loads here (native, then
 * WebAssembly SIMD, then plain TypeScript), saying why when it falls back; a forced choice that is unavailable is
 * an error, never a silent substitute.
 */
import { RleError } from '../../errors.js';
import { createJsGemm } from './gemm.js';
import { gemmKernels } from './gemm-kernels.js';
import { loadNativeGemm } from './native.js';
import { loadWasmGemm } from './wasm.js';
import type { Kernels } from './types.js';

export const KERNEL_CHOICES = ['auto', 'native', 'wasm', 'js'] as const;
export type KernelChoice = (typeof KERNEL_CHOICES)[number];

export interface KernelSet {
  readonly kind: 'native' | 'wasm' | 'js';
  /** Human-readable, e.g. "native (avx512, 2 threads)". */
  readonly name: string;
  readonly kernels: Kernels;
  /** Where the model's arrays should live for these kernels (the WebAssembly set's shared memory), or null: anywhere. */
  readonly alloc: ((n: number) => Float32Array) | null;
  /** Why auto did not get the fastest set, or null. */
  readonly fallback: string | null;
}

export function selectKernels(choice: KernelChoice, threads: number): KernelSet {
  if (choice === 'auto' || choice === 'native') {
    const n = loadNativeGemm(threads);
    if (n.gemm) return { kind: 'native', name: n.gemm.name, kernels: gemmKernels(n.gemm, n.ops), alloc: null, fallback: null };
    if (choice === 'native') throw new RleError('E_OPTION', `--kernels native: ${n.reason}`);
    const w = loadWasmGemm(threads);
    if (w.gemm) return { kind: 'wasm', name: w.gemm.name, kernels: gemmKernels(w.gemm, w.ops), alloc: w.alloc, fallback: n.reason };
    const js = createJsGemm();
    return { kind: 'js', name: js.name, kernels: gemmKernels(js), alloc: null, fallback: `${n.reason}; ${w.reason}` };
  }
  if (choice === 'wasm') {
    const w = loadWasmGemm(threads);
    if (!w.gemm) throw new RleError('E_OPTION', `--kernels wasm: ${w.reason}`);
    return { kind: 'wasm', name: w.gemm.name, kernels: gemmKernels(w.gemm, w.ops), alloc: w.alloc, fallback: null };
  }
  const js = createJsGemm();
  return { kind: 'js', name: js.name, kernels: gemmKernels(js), alloc: null, fallback: null };
}
