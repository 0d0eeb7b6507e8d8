/**
 * `rle train` end to end: the monitored run and its stored steps, the JSON shape, the fixed
 * log line, --batches, NaN stop, Ctrl-C, and clear errors for bad options and data.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CLI, FIXTURES, runCli, tmpDir } from '../../helpers.js';

const MICRO = path.join(FIXTURES, 'training', 'torch-micro');
const SMALL = ['--seq', '32', '--batch', '2', '--nvidia-smi', 'none', '--stats-interval', '0', '--no-report'];

interface TrainJson {
  session: string;
  steps: { step: number; t: number; loss: number; grad_norm: number; learning_rate: number; epoch: number }[];
  summary: { status: string; steps: number; loss_first: number; loss_last: number; loss_change_pct: number; wall_s: number; tokens_per_s: number; samples_per_s: number; thermal: { devices: Record<string, { samples: number }> } | null };
}

function microBatches(dir: string): string {
  const e = JSON.parse(fs.readFileSync(path.join(MICRO, 'expected.json'), 'utf8')) as { batches: unknown[] };
  const file = path.join(dir, 'batches.json');
  fs.writeFileSync(file, JSON.stringify(e.batches));
  return file;
}

describe('rle train', () => {
  it('trains the tiny preset while monitoring; steps stored on the session clock; --json shape', async () => {
    const db = path.join(tmpDir(), 'rle.db');
    const r = await runCli(['train', '--steps', '3', '--hz', '10', '--json', '--db', db, ...SMALL]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as TrainJson;
    assert.equal(j.steps.length, 3);
    assert.deepEqual(Object.keys(j.steps[0]!).sort(), ['epoch', 'grad_norm', 'learning_rate', 'loss', 'step', 't', 't_start', 'tokens']);
    assert.deepEqual(j.steps.map((s) => s.learning_rate), [0, 6e-4, 1.2e-3]); // warm-up 5 from 0, the preset's from-scratch 3e-3
    assert.ok(j.steps.every((s) => s.loss > 9 && s.loss < 12), 'random init: loss near ln(50257) ≈ 10.8');
    assert.deepEqual(j.steps.map((s) => s.epoch), [0.2, 0.4, 0.6]); // 2 of the 10 built-in examples per step
    assert.equal(j.summary.status, 'completed');
    // rates over the wall time from the training's start: 3 steps × 2 rows × 32 tokens
    assert.ok(j.summary.wall_s > 0 && Math.abs(j.summary.tokens_per_s * j.summary.wall_s - 3 * 2 * 32) < 1e-6, `tokens/s ${j.summary.tokens_per_s} over ${j.summary.wall_s} s`);
    assert.ok(Math.abs(j.summary.tokens_per_s / j.summary.samples_per_s - 32) < 1e-6, 'tokens per sample = seq');
    assert.ok(j.summary.thermal && j.summary.thermal.devices.cpu!.samples >= 1, 'telemetry recorded beside the steps');
    assert.match(r.stderr, /^step 1\/3 \| loss \d+\.\d{4} \| grad_norm \S+ \| lr 0\.00e\+0 \| epoch 0\.20 \| \d+\.\d\d s \| \d+ tok\/s/m);
    // stored: steps and telemetry on one clock
    const steps = await runCli(['export', j.session, '--steps', '--db', db]);
    assert.equal(steps.code, 0, steps.stderr);
    const lines = steps.stdout.trim().split('\n');
    assert.equal(lines[0], 'step,t,loss,grad_norm,learning_rate,epoch,tokens,t_start,t_source');
    assert.equal(lines.length, 4);
    assert.match(lines[1]!, /^1,\d{4}-\d\d-\d\dT[\d:.]+Z,[\d.]+,[\d.]+,0,0\.2,64,\d{4}-\d\d-\d\dT[\d:.]+Z,own$/, 'the trainer stamps its own start and end');
    const [info] = JSON.parse((await runCli(['sessions', '--json', '--db', db])).stdout) as { kind: string; status: string; started_at: string; ended_at: string }[];
    assert.deepEqual([info!.kind, info!.status], ['train', 'completed']);
    const t0 = Date.parse(info!.started_at) / 1000, t1 = Date.parse(info!.ended_at) / 1000;
    assert.ok(j.steps.every((s) => s.t >= t0 - 1e-3 && s.t <= t1 + 1), 'step times inside the session');
    assert.ok(j.steps[1]!.t > j.steps[0]!.t && j.steps[2]!.t > j.steps[1]!.t);
  });

  it('prints a readable summary (loss first → last, tokens/s) without --json', async () => {
    const db = path.join(tmpDir(), 'rle.db');
    const r = await runCli(['train', '--steps', '2', '--no-monitor', '--db', db, ...SMALL]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^step 2\/2 \| loss/m);
    assert.match(r.stdout, /training completed: session \S+, 2 steps in [\d.]+ s\n {2}loss [\d.]+ → [\d.]+ \([+-][\d.]+ %\)\n {2}[\d.]+ samples\/s, [\d.]+ tokens\/s/);
  });

  it('fine-tunes a checkpoint on --batches (PyTorch\'s 10-step log through the CLI)', async () => {
    const dir = tmpDir();
    const r = await runCli(['train', '--model', MICRO, '--batches', microBatches(dir), '--steps', '10', '--lr', '1e-3', '--warmup', '2', '--weight-decay', '0.01', '--no-monitor', '--json', '--db', path.join(dir, 'rle.db'), '--report-dir', path.join(dir, 'report')]);
    assert.equal(r.code, 0, r.stderr);
    const got = (JSON.parse(r.stdout) as TrainJson).steps;
    const want = (JSON.parse(fs.readFileSync(path.join(MICRO, 'expected.json'), 'utf8')) as { training: { log: { loss: number; grad_norm: number; learning_rate: number }[] } }).training.log;
    got.forEach((s, i) => {
      assert.ok(Math.abs(s.loss - want[i]!.loss) < 1e-3, `step ${i + 1}: ${s.loss} vs ${want[i]!.loss}`);
      assert.ok(Math.abs(s.grad_norm - want[i]!.grad_norm) < 1e-3);
      assert.equal(s.learning_rate, want[i]!.learning_rate);
    });
    assert.deepEqual(got.map((s) => s.epoch).slice(0, 4), [1 / 3, 2 / 3, 1, 4 / 3]);
    // the run ends with its report
    assert.deepEqual(fs.readdirSync(path.join(dir, 'report')).sort(), ['figure.png', 'figure.svg', 'report.html', 'summary.json']);
    assert.match(r.stderr, /report: .*report\.html/);
  });

  it('stops on a non-finite loss with a clear message; the session is failed, its steps kept', async () => {
    const dir = tmpDir();
    const db = path.join(dir, 'rle.db');
    const r = await runCli(['train', '--model', MICRO, '--batches', microBatches(dir), '--steps', '20', '--lr', '1e30', '--warmup', '0', '--no-monitor', '--no-report', '--db', db]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /rle: error: step \d+: (loss is NaN|loss is Infinity|gradient norm is (NaN|Infinity)); training stopped \(lower --lr, or check the data\); session \S+ marked failed \[E_TRAINING\]/);
    const [s] = JSON.parse((await runCli(['sessions', '--json', '--db', db])).stdout) as { id: string; status: string }[];
    assert.equal(s!.status, 'failed');
    const steps = (await runCli(['export', s!.id, '--steps', '--db', db])).stdout.trim().split('\n');
    assert.ok(steps.length >= 3 && steps.length < 21, `${steps.length - 1} steps stored`);
    assert.match(steps.at(-1)!, /^\d+,[^,]+,,/, 'the non-finite loss is stored empty, not as a number');
  });

  it('Ctrl-C ends the run at once: exit 130, session interrupted, the steps done are stored', async () => {
    const db = path.join(tmpDir(), 'rle.db');
    const child = spawn(process.execPath, [CLI, 'train', '--steps', '100000', '--db', db, ...SMALL], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!/^step +2\//m.test(out)) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        assert.fail(`no second step within 60 s:\n${out}`);
      }
      await new Promise((res) => setTimeout(res, 50));
    }
    const t0 = Date.now();
    child.kill('SIGINT');
    const code = await new Promise((res) => child.once('exit', res));
    assert.equal(code, 130);
    assert.ok(Date.now() - t0 < 5000, `stopped in ${Date.now() - t0} ms`);
    const [s] = JSON.parse((await runCli(['sessions', '--json', '--db', db])).stdout) as { id: string; kind: string; status: string }[];
    assert.deepEqual([s!.kind, s!.status], ['train', 'interrupted']);
    const stored = (await runCli(['export', s!.id, '--steps', '--db', db])).stdout.trim().split('\n').length - 1;
    const printed = out.match(/^step +\d+\//gm)!.length;
    assert.ok(stored === printed, `${stored} stored vs ${printed} printed`);
  });

  it('bad options and data are clear errors', async () => {
    const dir = tmpDir();
    const db = path.join(dir, 'rle.db');
    let r = await runCli(['train', '--preset', 'huge', '--no-report', '--db', db]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /huge/);
    r = await runCli(['train', '--seq', '2000', '--no-monitor', '--db', db]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--seq 2000 is longer than the model's context \(1024\)/);
    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, JSON.stringify([{ input_ids: [[1, 2, 500]], labels: [[2, 500, 3]] }]));
    r = await runCli(['train', '--model', MICRO, '--batches', big, '--no-monitor', '--db', db]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /big\.json: batch 0: token id 500 is outside the model's vocabulary \(96 tokens\) \[E_INPUT_FORMAT\]/);
    r = await runCli(['train', '--model', path.join(dir, 'nope'), '--no-monitor', '--db', db]);
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
});
