/**
 * Runs the Python tests of python/rle_steps.py (test/python/test_*.py) from the project's test
 * command: fails when any of them fails, skips (saying why) when there is no python3.
 * PYTHONUNBUFFERED is removed from their environment: users' machines do not set it, and it
 * would hide the block-buffered stdout that rle_steps exists to avoid.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

/** Repository root: this file runs from .test-build/test/python/. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The real-framework tests start Python children that import torch/transformers: s. */
const TIMEOUT_MS = 600_000;

function python3(): string | null {
  const probe = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? 'python3' : null;
}

test('python/rle_steps.py: its unittest suite passes', (t) => {
  const exe = python3();
  if (exe === null) {
    const why = 'python3 not found on PATH: the rle_steps Python tests did not run';
    console.log(`# skip: ${why}`);
    t.skip(why);
    return;
  }
  const env = { ...process.env };
  delete env.PYTHONUNBUFFERED;
  delete env.RLE_STEPS_FILE;
  const r = spawnSync(exe, ['-m', 'unittest', 'discover', '-v', '-s', path.join('test', 'python')], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  // unittest prints a skip's reason in -v mode ("skipped 'no interpreter with torch ...'").
  for (const line of out.split('\n').filter((l) => l.includes('skipped'))) console.log(`# ${line.trim()}`);
  assert.equal(r.error, undefined, `python3 could not run: ${String(r.error)}`);
  assert.equal(r.status, 0, `python3 -m unittest failed:\n${out.slice(-8000)}`);
  assert.match(out, /\nOK/, out.slice(-2000));
});
