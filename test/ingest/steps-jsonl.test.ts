import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RleError } from '../../src/errors.js';
import { readStepsJsonl } from '../../src/ingest/steps-jsonl.js';
import { parseStepTime, stepTimeProblem } from '../../src/ingest/times.js';
import { tmpDir } from '../helpers.js';

function file(text: string): string {
  const f = path.join(tmpDir(), 'steps.jsonl');
  fs.writeFileSync(f, text);
  return f;
}

async function rejectsAt(text: string, line: number, re: RegExp): Promise<void> {
  const f = file(text);
  let caught: unknown;
  await readStepsJsonl(f).catch((e: unknown) => (caught = e));
  assert.ok(caught instanceof RleError, String(caught));
  assert.equal(caught.code, 'E_INPUT_FORMAT');
  assert.deepEqual(caught.where, { file: f, line });
  assert.match(caught.message, re);
}

describe('parseStepTime', () => {
  it('reads Unix seconds and ISO 8601 with an offset', () => {
    assert.equal(parseStepTime(1714564800.25), 1714564800.25);
    assert.equal(parseStepTime('2024-05-01T12:00:00Z'), 1714564800);
    assert.equal(parseStepTime('2024-05-01T14:00:00.123456+02:00'), 1714564800.123456);
    assert.equal(parseStepTime('2024-05-01 07:30:00-0430'), 1714564800);
    assert.equal(parseStepTime('2024-05-01T12:00Z'), 1714564800);
    assert.equal(parseStepTime('2000-01-01T00:00:00Z'), 946684800);
  });
  it('rejects times outside 2000–2100, local times, bad dates and other types, saying why', () => {
    for (const [v, re] of [
      [0, /outside 2000–2100/],
      [1714564800123, /milliseconds\? expected Unix seconds/],
      [NaN, /not a finite number/],
      ['2100-01-01T00:00:00Z', /outside 2000–2100/],
      ['1999-12-31T23:59:59Z', /outside 2000–2100/],
      ['2024-05-01T12:00:00', /no UTC offset/],
      ['2024-02-30T12:00:00Z', /not a valid date/],
      ['2024-05-01T25:00:00Z', /not a valid date/],
      ['2024-05-01', /neither Unix seconds nor ISO 8601/],
      ['1714564800', /neither Unix seconds nor ISO 8601/],
      [true, /neither/],
      [null, /neither/],
    ] as const) {
      assert.equal(parseStepTime(v), null, String(v));
      assert.match(stepTimeProblem(v) ?? '', re, String(v));
    }
  });
});

describe('readStepsJsonl', () => {
  it('reads steps with times in every accepted form; BOM, blank lines, CRLF', async () => {
    const r = await readStepsJsonl(
      file(
        '\uFEFF{"step": 1, "time": 1714564801, "loss": 2.5, "lr": 0.001}\r\n\r\n' +
          '{"step": 2, "timestamp": "2024-05-01T12:00:02Z", "start": "2024-05-01T12:00:01.5Z", "loss": 2.25, "grad_norm": 0.5, "tokens": 512}\n' +
          '{"step": 3, "t": 1714564803, "t_start": 1714564802.5, "epoch": 0.1, "learning_rate": 0.002}\n' +
          '{"step": 4, "_timestamp": 1714564804.5, "loss": NaN, "grad_norm": Infinity}\n',
      ),
    );
    assert.equal(r.format, 'jsonl');
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.steps.slice(0, 3), [
      { step: 1, t: 1714564801, t_start: null, loss: 2.5, grad_norm: null, learning_rate: 0.001, epoch: null, tokens: null },
      { step: 2, t: 1714564802, t_start: 1714564801.5, loss: 2.25, grad_norm: 0.5, learning_rate: null, epoch: null, tokens: 512 },
      { step: 3, t: 1714564803, t_start: 1714564802.5, loss: null, grad_norm: null, learning_rate: 0.002, epoch: 0.1, tokens: null },
    ]);
    assert.ok(Number.isNaN(r.steps[3]!.loss) && r.steps[3]!.grad_norm === Infinity); // Python's json.dumps writes these
  });

  it('merges lines of one step: fields united, the latest time wins; sorted by step', async () => {
    const r = await readStepsJsonl(file('{"step": 5, "time": 1714564805, "loss": 1}\n{"step": 4, "time": 1714564804, "loss": 2}\n{"step": 5, "time": 1714564806, "grad_norm": 3}\n{"step": 5, "time": 1714564805.5, "loss": 9}\n'));
    assert.deepEqual(r.steps.map((s) => [s.step, s.t, s.loss, s.grad_norm]), [[4, 1714564804, 2, null], [5, 1714564806, 9, 3]]);
    assert.match(r.warnings[0]!, /2 line\(s\) repeat a step number/);
  });

  it('names the line of each kind of bad input', async () => {
    const ok = '{"step": 1, "time": 1714564801, "loss": 2}\n';
    await rejectsAt(ok + '{"step": 2, "loss": 2}\n', 2, /step 2: no time \(time, timestamp, t, _timestamp\); an import needs wall times/);
    await rejectsAt(ok + '{"step": 2, "time": 0, "loss": 2}\n', 2, /"time": time 0 is outside 2000–2100/);
    await rejectsAt(ok + '{"step": 2, "time": "2024-05-01T12:00:00", "loss": 2}\n', 2, /no UTC offset/);
    await rejectsAt(ok + '{"step": 2, "time": 1714564801, "start": 1714564802}\n', 2, /starts \(1714564802\) after it ends/);
    await rejectsAt(ok + '{"step": 2.5, "time": 1714564801}\n', 2, /no integer "step" \(got 2.5\)/);
    await rejectsAt(ok + '{"time": 1714564801}\n', 2, /no integer "step" \(got nothing\)/);
    await rejectsAt(ok + '{"step": 2, "time": 1714564801, "loss": "2.0"}\n', 2, /"loss" is not a number/);
    await rejectsAt(ok + '\n{"step": 2, "time": 17\n', 3, /not JSON/);
    await rejectsAt(ok + '[1, 2]\n', 2, /one JSON object per line/);
  });

  it('a pretty-printed JSON array (the earlier tools\' training log given to --steps) says so and names --training', async () => {
    await rejectsAt('[\n  {\n    "step": 1,\n    "timestamp_shared": 1761699262.49\n  }\n]\n', 1, /a JSON array, not JSON lines .*--training <file>/);
    await rejectsAt('[{"step": 1, "timestamp_shared": 1761699262.49}]\n', 1, /a JSON array, not JSON lines/);
  });

  it('refuses an empty file', async () => {
    const f = file('\n\n');
    await assert.rejects(readStepsJsonl(f), (e: unknown) => e instanceof RleError && e.code === 'E_INPUT_FORMAT' && /no steps/.test(e.message));
  });
});
