/** `rle import --steps`: training steps from TensorBoard, MLflow and JSON lines, aligned by their own times. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readSteps } from '../../../src/ingest/read-steps.js';
import { SessionStore } from '../../../src/store/session-store.js';
import { FIXTURES, runCli, tmpDir } from '../../helpers.js';

/** A 1 Hz telemetry CSV covering [t0, t1]. */
function telemetry(dir: string, t0: number, t1: number): string {
  const f = path.join(dir, 'tele.csv');
  const rows = ['timestamp,device,util_pct,temp_c,power_w'];
  for (let t = Math.floor(t0); t <= Math.ceil(t1); t++) rows.push(`${new Date(t * 1000).toISOString()},gpu0,${50 + (t % 7)},${60 + (t % 3)},${150 + (t % 11)}`);
  fs.writeFileSync(f, rows.join('\n') + '\n');
  return f;
}

describe('rle import --steps', () => {
  for (const [name, rel] of [['a Hugging Face Trainer run (TensorBoard event files)', 'tfevents/hf-trainer'], ['an MLflow file store run', 'mlflow/mlruns/0/3f2a9c1e5b7d4e6f8a0b1c2d3e4f5a6b']] as const) {
    it(`${name}: steps with the trainer's own times, beside telemetry of the same span`, async () => {
      const src = path.join(FIXTURES, rel);
      const want = await readSteps(src);
      const dir = tmpDir();
      const db = path.join(dir, 'rle.db');
      const r = await runCli(['import', telemetry(dir, want.steps[0]!.t - 5, want.steps.at(-1)!.t + 5), '--steps', src, '--db', db]);
      assert.equal(r.code, 0, r.stderr);
      const id = r.stdout.trim();
      assert.match(r.stderr, new RegExp(`${want.steps.length} training steps from ${want.format}`));
      assert.doesNotMatch(r.stderr, /outside the session's telemetry/);
      const s = SessionStore.open(db);
      const steps = s.steps(id);
      s.close();
      assert.deepEqual(steps.map((x) => [x.step, x.t, x.loss, x.t_source]), want.steps.map((x) => [x.step, x.t, x.loss, 'own']));
    });
  }
  it('into a stored session; steps outside its telemetry are counted and said', async () => {
    const dir = tmpDir();
    const db = path.join(dir, 'rle.db');
    const t0 = 1_767_225_600;
    const id = (await runCli(['import', telemetry(dir, t0, t0 + 60), '--db', db])).stdout.trim();
    const jsonl = path.join(dir, 'steps.jsonl');
    fs.writeFileSync(jsonl, [10, 20, 30, 500].map((dt, i) => JSON.stringify({ step: i + 1, time: t0 + dt, start: t0 + dt - 1, loss: 2 - i / 10 })).join('\n') + '\n');
    const r = await runCli(['import', id, '--steps', jsonl, '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), id);
    assert.match(r.stderr, /1 of 4 steps fall outside the session's telemetry/);
    const exp = await runCli(['export', id, '--steps', '--db', db]);
    assert.equal(exp.stdout.trim().split('\n').length, 5);
  });
  it('a bad tag map is a usage error; a step file without times is a clear error', async () => {
    const bad = await runCli(['import', 'x.csv', '--steps', 'y', '--tag-map', 'nonsense']);
    assert.equal(bad.code, 2, bad.stderr);
    const dir = tmpDir();
    const db = path.join(dir, 'rle.db');
    const id = (await runCli(['import', telemetry(dir, 1_767_225_600, 1_767_225_660), '--db', db])).stdout.trim();
    const jsonl = path.join(dir, 'no-times.jsonl');
    fs.writeFileSync(jsonl, '{"step": 1, "loss": 2}\n');
    const r = await runCli(['import', id, '--steps', jsonl, '--db', db]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no-times\.jsonl:1: /);
  });
});
