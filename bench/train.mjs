#!/usr/bin/env node
/**
 * Trainer speed: tokens/s of full training steps (forward, backward, AdamW) for the presets
 * with each kernel set that loads here, batch 4 × 128 tokens as in the PyTorch reference
 * (../shared/bench/torch_gpt_reference.py bench --preset distilgpt2). Also GEMM GFLOP/s at the
 * model's shapes. RLE_BENCH_TRAIN_STEPS (default 3) timed steps after one warm-up step.
 * Runs the PyTorch reference first when Debian's python3-torch is installed, and prints ratios.
 */
import os from 'node:os';
import { Trainer } from '../dist/train/trainer.js';
import { trainOptions } from '../dist/train/defaults.js';
import { loadNativeGemm } from '../dist/train/kernels/native.js';
import { createJsGemm } from '../dist/train/kernels/gemm.js';
import { loadWasmGemm } from '../dist/train/kernels/wasm.js';

const STEPS = Number(process.env.RLE_BENCH_TRAIN_STEPS ?? 3);
const THREADS = Number(process.env.RLE_BENCH_THREADS ?? os.availableParallelism());
const PRESETS = (process.env.RLE_BENCH_PRESETS ?? 'tiny,distilgpt2').split(',');
const KERNELS = (process.env.RLE_BENCH_KERNELS ?? 'native,wasm,js').split(',');
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// The PyTorch reference, run beside (Debian's python3-torch; RLE_BENCH_TORCH=0 skips it).
const REF = new URL('../../shared/bench/torch_gpt_reference.py', import.meta.url).pathname;
const torchTps = {};
if (process.env.RLE_BENCH_TORCH !== '0' && existsSync(REF) && spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) {
  for (const preset of PRESETS) {
    const r = spawnSync('/usr/bin/python3', [REF, 'bench', '--preset', preset, '--threads', String(THREADS)], { encoding: 'utf8' });
    try {
      const j = JSON.parse(r.stdout.trim().split('\n').pop());
      torchTps[preset] = j.tokens_per_s;
      console.log(`PyTorch ${j.torch} reference, ${preset}: median step ${j.median_step_s.toFixed(3)} s, ${j.tokens_per_s.toFixed(1)} tokens/s`);
    } catch {
      console.log(`PyTorch reference, ${preset}: failed (${(r.stderr || '').trim().split('\n').pop()})`);
    }
  }
} else console.log('PyTorch reference: not run (needs Debian python3-torch and ../shared/bench; RLE_BENCH_TORCH=0 skips it)');


function gemmRate(gemm, M, N, K, ta, tb) {
  const A = new Float32Array(M * K).fill(0.01), B = new Float32Array(K * N).fill(0.01), C = new Float32Array(M * N);
  const run = () => gemm.sgemm(ta, tb, M, N, K, 1, A, 0, ta ? M : K, B, 0, tb ? K : N, 0, C, 0, N);
  run();
  let reps = 0;
  const t0 = performance.now();
  do { run(); reps++; } while (performance.now() - t0 < 300);
  return (2 * M * N * K * reps) / ((performance.now() - t0) / 1000) / 1e9;
}

console.log(`# GEMM at DistilGPT-2 shapes (batch 4 × 128 = 512 rows), GFLOP/s`);
const gemms = [];
const native = loadNativeGemm(THREADS);
if (native.gemm) gemms.push(native.gemm); else console.log(`native: ${native.reason}`);
if (native.gemm && native.isa === 'avx512') { const a2 = loadNativeGemm(THREADS, 'avx2'); gemms.push(a2.gemm); }
const wasm = loadWasmGemm(THREADS);
if (wasm.gemm) { await new Promise((r) => setTimeout(r, 300)); gemms.push(wasm.gemm); } else console.log(`wasm: ${wasm.reason}`);
gemms.push(createJsGemm());
for (const g of gemms) {
  const shapes = [[512, 2304, 768, false, false, 'qkv'], [512, 768, 3072, false, false, 'mlp proj'], [768, 3072, 512, true, false, 'dW fc'], [512, 50257, 768, false, true, 'lm head']];
  const parts = shapes.map(([M, N, K, ta, tb, n]) => `${n} ${gemmRate(g, M, N, K, ta, tb).toFixed(1)}`);
  console.log(`${g.name.padEnd(36)} ${parts.join(' | ')}`);
}
if (native.gemm && native.isa === 'avx512') loadNativeGemm(THREADS); // back to the widest

console.log(`\n# training steps, batch 4 × 128 tokens, ${STEPS} timed steps after 1 warm-up`);
for (const preset of PRESETS) {
  for (const kernels of KERNELS) {
    let tr;
    try {
      tr = await Trainer.create(trainOptions({ preset, steps: STEPS + 1, warmup: 0, seed: 1, kernels, threads: THREADS }));
    } catch (e) { console.log(`${preset} ${kernels}: ${e.message}`); continue; }
    if (kernels === 'js' && preset === 'distilgpt2' && !process.env.RLE_BENCH_SLOW) { console.log(`${preset.padEnd(10)} ${tr.info.kernels.name}: skipped (minutes per step; RLE_BENCH_SLOW=1 runs it)`); continue; }
    tr.step();
    const secs = [];
    for (let i = 0; i < STEPS; i++) secs.push(tr.step().seconds);
    secs.sort((a, b) => a - b);
    const med = secs[Math.floor(secs.length / 2)];
    const tps = (4 * 128) / med;
    const ratio = torchTps[preset] ? `, ${(tps / torchTps[preset]).toFixed(2)}× PyTorch` : '';
    console.log(`${preset.padEnd(10)} ${tr.info.kernels.name.padEnd(36)} median step ${med.toFixed(3)} s, ${tps.toFixed(0)} tokens/s${ratio}`);
  }
}
