#!/usr/bin/env node
/**
 * Trainer speed against PyTorch, side by side in one run: tokens/s of full training steps
 * (forward, backward, clipping, AdamW) at batch 4 × 128 for each preset and each kernel set
 * that loads here, interleaved round by round with the PyTorch reference
 * (../shared/bench/torch_gpt_reference.py bench, Debian's python3-torch with OpenBLAS), so a
 * machine shared with other work slows both alike; medians, the machine's load before and
 * after, and the per-operation breakdown of a step (ms and share, kernels/profile.ts).
 * Also GEMM GFLOP/s at DistilGPT-2's shapes.
 *
 *   RLE_BENCH_ROUNDS (3)        rounds of: PyTorch, then each kernel set
 *   RLE_BENCH_TRAIN_STEPS (3)   timed steps per kernel set per round, after one warm-up step
 *   RLE_BENCH_PRESETS (tiny,distilgpt2)  RLE_BENCH_KERNELS (native,wasm,js)  RLE_BENCH_THREADS
 *   RLE_BENCH_TORCH=0 skips PyTorch; RLE_BENCH_SLOW=1 runs the TypeScript kernels on DistilGPT-2
 *   RLE_BENCH_GEMM=0 skips the GEMM rates
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { Trainer } from '../dist/train/trainer.js';
import { trainOptions } from '../dist/train/defaults.js';
import { loadNativeGemm } from '../dist/train/kernels/native.js';
import { createJsGemm } from '../dist/train/kernels/gemm.js';
import { loadWasmGemm } from '../dist/train/kernels/wasm.js';
import { OP_GROUPS, OpProfile, profileKernels } from '../dist/train/kernels/profile.js';

const env = process.env;
const ROUNDS = Number(env.RLE_BENCH_ROUNDS ?? 3);
const STEPS = Number(env.RLE_BENCH_TRAIN_STEPS ?? 3);
const THREADS = Number(env.RLE_BENCH_THREADS ?? os.availableParallelism());
const PRESETS = (env.RLE_BENCH_PRESETS ?? 'tiny,distilgpt2').split(',');
const KERNELS = (env.RLE_BENCH_KERNELS ?? 'native,wasm,js').split(',');
const BATCH = 4, SEQ = 128;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

// ---- GEMM rates ----

function gemmRate(gemm, M, N, K, ta, tb) {
  const A = new Float32Array(M * K).fill(0.01), B = new Float32Array(K * N).fill(0.01), C = new Float32Array(M * N);
  const run = () => gemm.sgemm(ta, tb, M, N, K, 1, A, 0, ta ? M : K, B, 0, tb ? K : N, 0, C, 0, N);
  run();
  let reps = 0;
  const t0 = performance.now();
  do { run(); reps++; } while (performance.now() - t0 < 300);
  return (2 * M * N * K * reps) / ((performance.now() - t0) / 1000) / 1e9;
}

if (env.RLE_BENCH_GEMM !== '0') {
  console.log(`# GEMM at DistilGPT-2 shapes (batch 4 × 128 = 512 rows), GFLOP/s`);
  const gemms = [];
  const native = loadNativeGemm(THREADS);
  if (native.gemm) gemms.push(native.gemm); else console.log(`native: ${native.reason}`);
  if (native.gemm && native.isa === 'avx512') gemms.push(loadNativeGemm(THREADS, 'avx2').gemm);
  const wasm = loadWasmGemm(THREADS);
  if (wasm.gemm) { await new Promise((r) => setTimeout(r, 300)); gemms.push(wasm.gemm); } else console.log(`wasm: ${wasm.reason}`);
  gemms.push(createJsGemm());
  const shapes = [[512, 2304, 768, false, false, 'qkv'], [512, 768, 3072, false, false, 'mlp proj'], [768, 3072, 512, true, false, 'dW fc'], [512, 50257, 768, false, true, 'lm head'], [512, 768, 50257, false, false, 'lm head dX']];
  // The TypeScript GEMM at ~1 GFLOP/s would take a minute on each LM-head shape (40 GFLOP a call): not timed there.
  const slow = (g, M, N, K) => g.name.startsWith('js') && M * N * K > 1e10;
  for (const g of gemms) console.log(`${g.name.padEnd(36)} ${shapes.map(([M, N, K, ta, tb, n]) => `${n} ${slow(g, M, N, K) ? '—' : gemmRate(g, M, N, K, ta, tb).toFixed(1)}`).join(' | ')}`);
  // The yardstick's own GEMM on the same shapes, timed the same way: how far a faster kernel could take the ratio.
  const torchMm = torchGemmRates(shapes);
  console.log(torchMm ?? 'PyTorch torch.mm: not run (needs Debian python3-torch)');
  console.log('');
}

/** torch.mm GFLOP/s at the shapes (PyTorch's OpenBLAS, THREADS threads), as one printed row; null without PyTorch. */
function torchGemmRates(shapes) {
  if (env.RLE_BENCH_TORCH === '0') return null;
  const py = `
import json, sys, time, torch
torch.set_num_threads(${THREADS})
out = []
for M, N, K, ta, tb, name in json.loads(sys.argv[1]):
    A = torch.full((K, M), 0.01).t() if ta else torch.full((M, K), 0.01)
    B = torch.full((N, K), 0.01).t() if tb else torch.full((K, N), 0.01)
    A @ B
    reps, t0 = 0, time.perf_counter()
    while True:
        A @ B
        reps += 1
        if time.perf_counter() - t0 >= 0.3: break
    out.append(f"{name} {2 * M * N * K * reps / (time.perf_counter() - t0) / 1e9:.1f}")
print(" | ".join(out))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', py, JSON.stringify(shapes)], { encoding: 'utf8' });
  return r.status === 0 ? `${`PyTorch torch.mm, ${THREADS} threads`.padEnd(36)} ${r.stdout.trim()}` : null;
}

// ---- PyTorch ----

const REF = new URL('../../shared/bench/torch_gpt_reference.py', import.meta.url).pathname;
const haveTorch = env.RLE_BENCH_TORCH !== '0' && existsSync(REF) && spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
if (!haveTorch) console.log('PyTorch reference: not run (needs Debian python3-torch and ../shared/bench; RLE_BENCH_TORCH=0 skips it)\n');

/** One call of the reference: its median step, s, or an error line. */
function torchRound(preset) {
  const r = spawnSync('/usr/bin/python3', [REF, 'bench', '--preset', preset, '--batch', String(BATCH), '--seq', String(SEQ), '--threads', String(THREADS), '--steps', String(Math.max(STEPS, 3))], { encoding: 'utf8' });
  try {
    const j = JSON.parse(r.stdout.trim().split('\n').pop());
    return { s: j.median_step_s, torch: j.torch };
  } catch {
    return { error: (r.stderr || '').trim().split('\n').pop() };
  }
}

// ---- rle ----

async function makeRun(preset, kernels) {
  const prof = new OpProfile();
  let tr;
  try {
    tr = await Trainer.create(trainOptions({ preset, steps: 1 + ROUNDS * STEPS, warmup: 0, seed: 1, kernels, threads: THREADS, batch: BATCH, seq: SEQ }), { wrapKernels: (k) => profileKernels(k, prof) });
  } catch (e) {
    return { preset, kernels, error: e.message };
  }
  tr.step(); // warm-up: first touch of every buffer, helper threads starting
  return { preset, kernels, tr, prof, name: tr.info.kernels.name, secs: [], ops: OP_GROUPS.map(() => []), other: [] };
}

function runRound(run) {
  for (let i = 0; i < STEPS; i++) {
    run.prof.reset();
    const s = run.tr.step().seconds;
    run.secs.push(s);
    OP_GROUPS.forEach((g, k) => run.ops[k].push(run.prof.ms.get(g)));
    run.other.push(1000 * s - run.prof.total());
  }
}

console.log(`# training steps, batch ${BATCH} × ${SEQ} tokens, ${THREADS} threads: ${ROUNDS} rounds of (PyTorch, then ${STEPS} steps of each kernel set after one warm-up)`);
for (const preset of PRESETS) {
  const runs = [];
  for (const k of KERNELS) {
    if (k === 'js' && preset === 'distilgpt2' && !env.RLE_BENCH_SLOW) { console.log(`${preset} js: skipped (minutes per step; RLE_BENCH_SLOW=1 runs it)`); continue; }
    const run = await makeRun(preset, k);
    if (run.error) console.log(`${preset} ${k}: ${run.error}`); else runs.push(run);
  }
  const loadBefore = load();
  const torch = [];
  let torchName = '', torchError = '';
  for (let r = 0; r < ROUNDS; r++) {
    if (haveTorch) {
      const t = torchRound(preset);
      if (t.error) torchError = t.error; else { torch.push(t.s); torchName = t.torch; }
    }
    for (const run of runs) runRound(run);
  }
  const loadAfter = load();
  const torchTps = torch.length ? (BATCH * SEQ) / median(torch) : null;
  console.log(`\n## ${preset}: tokens/s, medians (load average ${loadBefore} before, ${loadAfter} after; ${os.cpus().length} CPUs)`);
  if (torchTps) console.log(`${`PyTorch ${torchName} (OpenBLAS)`.padEnd(40)} ${torchTps.toFixed(1).padStart(7)} tokens/s  median step ${median(torch).toFixed(3)} s over ${torch.length} runs`);
  else if (haveTorch) console.log(`PyTorch reference failed: ${torchError}`);
  for (const run of runs) {
    const med = median(run.secs);
    const tps = (BATCH * SEQ) / med;
    const ratio = torchTps ? `  ${(tps / torchTps).toFixed(2)}× PyTorch` : '';
    console.log(`${run.name.padEnd(40)} ${tps.toFixed(1).padStart(7)} tokens/s  median step ${med.toFixed(3)} s over ${run.secs.length} steps${ratio}`);
  }
  if (!runs.length) continue;
  console.log(`\n## ${preset}: per-operation breakdown, ms per step (share of the step), medians`);
  console.log(`${'operation'.padEnd(24)}${runs.map((r) => r.kernels.padStart(18)).join('')}`);
  const cell = (ms, total) => `${ms.toFixed(1)} (${((100 * ms) / total).toFixed(0)}%)`.padStart(18);
  const totals = runs.map((r) => 1000 * median(r.secs));
  OP_GROUPS.forEach((g, k) => console.log(`${g.padEnd(24)}${runs.map((r, i) => cell(median(r.ops[k]), totals[i])).join('')}`));
  console.log(`${'other (JS between ops)'.padEnd(24)}${runs.map((r, i) => cell(median(r.other), totals[i])).join('')}`);
  console.log(`${'step'.padEnd(24)}${totals.map((t) => `${t.toFixed(1)}`.padStart(18)).join('')}`);
}
