/**
 * Parity with PyTorch. test/fixtures/training/torch-micro was written by
 * ../shared/bench/torch_gpt_reference.py fixture (Debian's PyTorch 1.13, float32): a tiny
 * HF-format GPT-2 checkpoint and what PyTorch computed from it. Each kernel set must reproduce
 * the first batch's loss and logits to 1e-4, its gradient norm to 1e-3 relative, and the
 * 10-step training log (lr 1e-3, warm-up 2, weight decay 0.01) to 1e-3, through the same
 * Trainer `rle train` uses.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadGpt2Checkpoint } from '../../src/train/checkpoint.js';
import { Gpt2 } from '../../src/train/gpt2.js';
import { createJsGemm } from '../../src/train/kernels/gemm.js';
import { gemmKernels } from '../../src/train/kernels/gemm-kernels.js';
import * as Ref from '../../src/train/kernels/js.js';
import { loadNativeGemm } from '../../src/train/kernels/native.js';
import { loadWasmGemm } from '../../src/train/kernels/wasm.js';
import type { KernelChoice } from '../../src/train/kernels/select.js';
import type { Kernels } from '../../src/train/kernels/types.js';
import { sumSquares } from '../../src/train/kernels/js.js';
import { Trainer } from '../../src/train/trainer.js';
import { FIXTURES, tmpDir } from '../helpers.js';

const DIR = path.join(FIXTURES, 'training', 'torch-micro');

interface Expected {
  batches: { input_ids: number[][]; labels: number[][] }[];
  first_batch: { loss: number; grad_norm: number; logits_first_position: number[]; logits_last_position: number[] };
  training: { steps: number; lr: number; warmup_steps: number; weight_decay: number; log: { step: number; loss: number; grad_norm: number; learning_rate: number }[] };
}
const E = JSON.parse(fs.readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as Expected;

const SETS: { name: string; choice: KernelChoice | null; make: () => Kernels | string }[] = [
  { name: 'reference kernels', choice: null, make: () => Ref },
  { name: 'portable GEMM kernels', choice: 'js', make: () => gemmKernels(createJsGemm()) },
  {
    name: 'WebAssembly SIMD kernels',
    choice: 'wasm',
    make: () => {
      const w = loadWasmGemm(2);
      if (!w.gemm) throw new Error(`WebAssembly kernels must be built by npm ci: ${w.reason}`);
      return gemmKernels(w.gemm);
    },
  },
  {
    name: 'native kernels',
    choice: 'native',
    make: () => {
      const n = loadNativeGemm(2);
      return n.gemm ? gemmKernels(n.gemm, n.ops) : `native kernels unavailable: ${n.reason}`;
    },
  },
];

describe('parity with the PyTorch reference (torch-micro fixture)', () => {
  for (const set of SETS) {
    it(`${set.name}: first batch loss, logits and gradient norm`, async (t) => {
      const k = set.make();
      if (typeof k === 'string') return t.skip(k);
      const model: Gpt2 = await loadGpt2Checkpoint(DIR, k);
      const b = E.batches[0]!;
      const Bn = b.input_ids.length, T = b.input_ids[0]!.length, V = model.cfg.vocabSize;
      model.zeroGrad();
      const loss = model.forward(Int32Array.from(b.input_ids.flat()), Int32Array.from(b.labels.flat()), Bn, T, true);
      assert.ok(Math.abs(loss - E.first_batch.loss) < 1e-4, `loss ${loss} vs ${E.first_batch.loss}`);
      const logits = model.lastLogits!;
      const first = E.first_batch.logits_first_position, last = E.first_batch.logits_last_position;
      for (let v = 0; v < V; v++) {
        assert.ok(Math.abs(logits[v]! - first[v]!) < 1e-4, `logits[0,0,${v}] ${logits[v]} vs ${first[v]}`);
        assert.ok(Math.abs(logits[(Bn * T - 1) * V + v]! - last[v]!) < 1e-4, `logits[-1,-1,${v}]`);
      }
      model.backward();
      let ss = 0;
      for (const g of model.grads.values()) ss += sumSquares(g);
      const gn = Math.sqrt(ss);
      assert.ok(Math.abs(gn - E.first_batch.grad_norm) / E.first_batch.grad_norm < 1e-3, `grad norm ${gn} vs ${E.first_batch.grad_norm}`);
    });
    if (set.choice) {
      it(`${set.name}: the 10-step training log (loss, grad_norm, learning rate)`, async (t) => {
        if (typeof set.make() === 'string') return t.skip(set.make() as string);
        const batches = path.join(tmpDir(), 'batches.json');
        fs.writeFileSync(batches, JSON.stringify(E.batches));
        const tr = E.training;
        const trainer = await Trainer.create({
          preset: 'tiny', modelDir: DIR, steps: tr.steps, batch: 1, seq: 1, lr: tr.lr, warmup: tr.warmup_steps, weightDecay: tr.weight_decay,
          seed: 0, dataset: null, batches, labels: 'targets', kernels: set.choice!, threads: 2,
        });
        for (const want of tr.log) {
          const r = trainer.step();
          assert.equal(r.step, want.step);
          assert.ok(Math.abs(r.loss - want.loss) < 1e-3, `step ${r.step}: loss ${r.loss} vs ${want.loss}`);
          assert.ok(Math.abs(r.grad_norm - want.grad_norm) < 1e-3, `step ${r.step}: grad_norm ${r.grad_norm} vs ${want.grad_norm}`);
          assert.ok(Math.abs(r.learning_rate - want.learning_rate) < 1e-12, `step ${r.step}: lr ${r.learning_rate} vs ${want.learning_rate}`);
        }
      });
    }
  }
});
