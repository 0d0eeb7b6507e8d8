import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RleError } from '../../src/errors.js';
import { detectFormat, readSteps } from '../../src/ingest/read-steps.js';
import { FIXTURES, tmpDir } from '../helpers.js';

const TF = path.join(FIXTURES, 'tfevents');
const RUN = path.join(FIXTURES, 'mlflow', 'mlruns', '0', '3f2a9c1e5b7d4e6f8a0b1c2d3e4f5a6b');

describe('detectFormat / readSteps', () => {
  it('detects each format from layout, name and first bytes', async () => {
    const hfFile = fs.readdirSync(path.join(TF, 'hf-trainer')).find((n) => n.startsWith('events.out'))!;
    const renamed = path.join(tmpDir(), 'run.bin');
    fs.copyFileSync(path.join(TF, 'hf-trainer', hfFile), renamed);
    const jsonl = path.join(tmpDir(), 'steps.jsonl');
    fs.writeFileSync(jsonl, '{"step": 1, "time": 1714564801, "loss": 2}\n');
    for (const [p, f] of [
      [RUN, 'mlflow'],
      [path.join(RUN, 'metrics'), 'mlflow'],
      [path.join(TF, 'hf-trainer'), 'tfevents'],
      [path.join(TF, 'lightning'), 'tfevents'], // event files one folder down
      [path.join(TF, 'hf-trainer', hfFile), 'tfevents'],
      [renamed, 'tfevents'], // by its checksummed first header
      [jsonl, 'jsonl'],
    ] as const) {
      assert.equal(await detectFormat(p), f, p);
    }
    assert.equal((await readSteps(renamed)).steps.length, 5);
    assert.equal((await readSteps(jsonl)).format, 'jsonl');
    assert.equal((await readSteps(RUN, { format: 'auto' })).format, 'mlflow');
  });

  it('passes the tag map on, and refuses one for JSON lines', async () => {
    const r = await readSteps(path.join(TF, 'hf-trainer'), { tagMap: { loss: 'eval/loss' } });
    assert.equal(r.fields!.loss, 'eval/loss');
    const jsonl = path.join(tmpDir(), 'steps.jsonl');
    fs.writeFileSync(jsonl, '{"step": 1, "time": 1714564801, "loss": 2}\n');
    await assert.rejects(readSteps(jsonl, { tagMap: { loss: 'x' } }), (e: unknown) => e instanceof RleError && e.code === 'E_OPTION');
  });

  it('honours a forced format (an event file read as JSON lines fails on line 1)', async () => {
    const f = path.join(TF, 'tf2', fs.readdirSync(path.join(TF, 'tf2')).find((n) => n.startsWith('events.out'))!);
    await assert.rejects(readSteps(f, { format: 'jsonl' }), (e: unknown) => e instanceof RleError && e.where.line === 1 && /not JSON/.test(e.message));
  });

  it('refuses a folder holding neither, and a missing path', async () => {
    await assert.rejects(readSteps(tmpDir()), (e: unknown) => e instanceof RleError && e.code === 'E_INPUT_FORMAT' && /neither an MLflow run folder/.test(e.message));
    await assert.rejects(readSteps(path.join(tmpDir(), 'nope')), (e: unknown) => e instanceof RleError && e.code === 'E_INPUT_MISSING');
  });
});
