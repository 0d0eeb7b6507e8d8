/** `rle run`: output passed through, metrics captured on the session clock, exit code and signals. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CLI, FIXTURES, ROOT, csvRows, fixtureFile, runCli, tmpDir } from '../../helpers.js';

const linux = process.platform === 'linux';
const TRAINER = path.join(FIXTURES, 'run', 'trainer.mjs');

async function stepsOf(id: string, db: string): Promise<Record<string, string>[]> {
  const r = await runCli(['export', id, '--steps', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  const [h, ...rows] = csvRows(r.stdout);
  return rows.map((row) => Object.fromEntries(h!.map((k, i) => [k, row[i] ?? ''])));
}

describe('rle run', { skip: linux ? false : 'needs Linux /proc' }, () => {
  it('passes output through, captures HF dicts and JSON lines as steps stamped on arrival, exits with the command', async () => {
    const db = path.join(tmpDir(), 'rle.db');
    const r = await runCli(['run', '--db', db, '--nvidia-smi', 'none', '--hz', '5', '--json', '--', process.execPath, TRAINER]);
    assert.equal(r.code, 3, r.stderr);
    // With --json rle's stdout is one JSON document; the command's output went to stderr.
    assert.match(r.stderr, /^\{'loss': 4\.5000, 'grad_norm': 11\.0/m);
    assert.match(r.stderr, /^\{"step":2,/m);
    const out = JSON.parse(r.stdout) as { session: string; status: string; exit_code: number; step_count: number; steps: { step: number; t_source: string }[] };
    assert.deepEqual([out.status, out.exit_code, out.step_count], ['failed', 3, 4]);
    assert.deepEqual(out.steps.map((s) => [s.step, s.t_source]), [[1, 'arrival'], [2, 'arrival'], [3, 'arrival'], [4, 'arrival']]);
    const steps = await stepsOf(out.session, db);
    assert.deepEqual(steps.map((s) => [s.step, s.loss, s.grad_norm]), [['1', '4.5', '11'], ['2', '4', '12'], ['3', '3.5', '13'], ['4', '3', '14']]);
    assert.equal(steps[0]!.learning_rate, '0.00001');
    assert.deepEqual(steps.map((s) => [s.t_start, s.t_source]), steps.map(() => ['', 'arrival']), 'the export says how each step was timed');
    // JSON lines carry the time they were printed: stored stamps are within 0.25 s of it
    const printed = r.stderr.split('\n').filter((l) => l.startsWith('{"step"')).map((l) => (JSON.parse(l) as { t_print: number }).t_print);
    for (const [i, s] of [steps[1]!, steps[3]!].entries()) {
      const lag = Date.parse(s.t!) / 1000 - printed[i]!;
      assert.ok(lag >= -0.05 && lag < 0.25, `step ${s.step} stamped ${lag.toFixed(3)} s after it was printed`);
    }
  });
  it('tails a metrics file instead of the output', async () => {
    const dir = tmpDir();
    const db = path.join(dir, 'rle.db');
    const metrics = path.join(dir, 'metrics.jsonl');
    const r = await runCli(['run', '--db', db, '--nvidia-smi', 'none', '--metrics-file', metrics, '--json', '--', process.execPath, TRAINER, metrics]);
    assert.equal(r.code, 3, r.stderr);
    const out = JSON.parse(r.stdout) as { session: string; step_count: number };
    assert.equal(out.step_count, 4);
    assert.equal((await stepsOf(out.session, db)).length, 4);
  });
  it('forwards Ctrl-C to the command; the session ends interrupted with its exit code', async () => {
    const db = path.join(tmpDir(), 'rle.db');
    const child = spawn(process.execPath, [CLI, 'run', '--db', db, '--nvidia-smi', 'none', '--', process.execPath, path.join(FIXTURES, 'run', 'sleeper.mjs')], { cwd: ROOT });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    while (!stdout.includes('sleeper: ready')) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', r));
    assert.equal(code, 130);
    assert.match(stdout, /sleeper: got SIGINT/);
    const list = JSON.parse((await runCli(['sessions', '--json', '--db', db])).stdout) as { status: string; kind: string }[];
    assert.deepEqual([list[0]!.kind, list[0]!.status], ['run', 'interrupted']);
  });
  it('a command that does not exist is a clear error, and no shell is involved', async () => {
    const db = path.join(tmpDir(), 'rle.db');
    const r = await runCli(['run', '--db', db, '--nvidia-smi', 'none', '--', 'no-such-command-rle', '$(touch /tmp/rle-pwned)']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /rle: error: cannot run "no-such-command-rle": no such command \(or not executable\) \[E_INPUT_MISSING\]/);
    assert.equal(fs.existsSync(db), false, 'checked before any session (or store) exists');
    assert.equal(fs.existsSync('/tmp/rle-pwned'), false);
  });
});

describe('rle import --training', () => {
  it('joins an earlier run: telemetry and its 200 steps on one clock', async () => {
    const dir = tmpDir();
    const db = path.join(dir, 'rle.db');
    const csv = fixtureFile('golden/training_reproducibility_test_1_rle_data_20251028_195412.in.csv.gz', dir);
    const log = path.join(FIXTURES, 'training', 'training_log_20251028_195412.json');
    const r = await runCli(['import', csv, '--training', log, '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    const steps = await stepsOf(id, db);
    assert.equal(steps.length, 200); // the closing null summary record is not a step
    assert.deepEqual([steps[0]!.step, steps[0]!.t, steps[0]!.loss], ['1', '2025-10-29T00:54:22.488281Z', '6.3157']);
    const [s] = JSON.parse((await runCli(['sessions', '--json', '--db', db])).stdout) as { started_at: string; ended_at: string }[];
    // telemetry from 00:54:13 to 00:57:12 UTC; training steps from 00:54:22 to 00:55:43
    assert.ok(s!.started_at < steps[0]!.t! && steps.at(-1)!.t! < s!.ended_at);
  });
  it('a bad training log fails before anything is stored', async () => {
    const dir = tmpDir();
    const db = path.join(dir, 'rle.db');
    const bad = path.join(dir, 'log.json');
    fs.writeFileSync(bad, '{"step": 1}');
    const r = await runCli(['import', path.join(ROOT, 'examples', 'desktop-live.csv'), '--training', bad, '--db', db]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /log\.json: expected a JSON array of step records \[E_INPUT_FORMAT\]/);
    assert.deepEqual(JSON.parse((await runCli(['sessions', '--json', '--db', db])).stdout), []);
  });
});
