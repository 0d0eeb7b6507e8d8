/**
 * `rle run -- python …` as users run it: with PYTHONUNBUFFERED unset (this machine sets it,
 * users' machines do not), Python's own output, lines with their own times, a buffered burst,
 * and the drop-in helper (python/rle_steps.py) from a plain loop and, where Debian's
 * python3-torch is installed, from a real PyTorch loop.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, tmpDir } from '../../helpers.js';

const python = spawnSync('python3', ['--version']).status === 0 ? 'python3' : null;
const torchPython = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) ?? null;

interface RunJson {
  session: string;
  step_count: number;
  burst_stamped: number;
  steps: { step: number; t: number; t_start: number | null; t_source: string; loss: number | null; tokens: number | null }[];
}

/** Runs a Python script under rle run, as a user's shell would: no PYTHONUNBUFFERED. */
async function runPython(code: string, exe = python!, env: NodeJS.ProcessEnv = {}): Promise<{ out: RunJson; stderr: string }> {
  const dir = tmpDir();
  const script = path.join(dir, 'train.py');
  fs.writeFileSync(script, code);
  const { PYTHONUNBUFFERED: _unset, ...rest } = process.env;
  const r = await runCli(['run', '--json', '--nvidia-smi', 'none', '--stats-interval', '0', '--db', path.join(dir, 'rle.db'), '--', exe, script], { env: { ...rest, ...env }, clearEnv: true });
  assert.equal(r.code, 0, r.stderr);
  return { out: JSON.parse(r.stdout) as RunJson, stderr: r.stderr };
}

describe('rle run with Python', { skip: python ? false : 'python3 not found' }, () => {
  it('HF-style dicts printed by a script whose stdout would be block-buffered get stamps within 0.2 s of their prints', async () => {
    const { out, stderr } = await runPython(`import time, sys
for i in range(5):
    time.sleep(0.25)
    print({'loss': 4.0 - i * 0.1, 'grad_norm': 1.0, 'learning_rate': 1e-4, 'epoch': i / 5})
    print("printed", time.time(), file=sys.stderr)
`);
    const printed = [...stderr.matchAll(/^printed (\S+)$/gm)].map((m) => Number(m[1]));
    assert.equal(out.step_count, 5);
    out.steps.forEach((s, i) => assert.ok(Math.abs(s.t - printed[i]!) < 0.2, `step ${s.step}: stamped ${(s.t - printed[i]!).toFixed(3)} s after its print`));
    assert.equal(out.burst_stamped, 0);
  });
  it("lines with their own time, printed all at once at the end, get those times (within 50 ms); a burst without times is flagged and left out", async () => {
    const own = await runPython(`import json, time
lines = []
for i in range(6):
    start = time.time(); time.sleep(0.1)
    lines.append(json.dumps({"step": i + 1, "loss": 3.0 - i / 10, "start": start, "time": time.time()}))
print("\\n".join(lines))
`);
    assert.equal(own.out.steps.length, 6);
    own.out.steps.forEach((s) => {
      assert.equal(s.t_source, 'own');
      assert.ok(Math.abs(s.t - s.t_start! - 0.1) < 0.05, `step ${s.step} lasted ${(s.t - s.t_start!).toFixed(3)} s`);
    });
    const burst = await runPython(`import json, sys, time
buf = []
for i in range(6):
    time.sleep(0.1)
    buf.append(json.dumps({"step": i + 1, "loss": 3.0 - i / 10}))
sys.stdout.write("\\n".join(buf) + "\\n")
`);
    assert.equal(burst.out.burst_stamped, 6);
    assert.ok(burst.out.steps.every((s) => s.t_source === 'burst'));
    assert.match(burst.stderr, /warning: training steps are arriving in bursts with no time of their own/);
  });
  it("the drop-in helper from a plain loop: each step its start, end, tokens and loss, through RLE_STEPS_FILE (stdout stays the script's)", async () => {
    const { out, stderr } = await runPython(`import time, rle_steps
for i in range(4):
    with rle_steps.step(tokens=64):
        time.sleep(0.08)
    rle_steps.log(loss=2.0 - i / 10, grad_norm=0.5)
print("done")
`);
    assert.match(stderr, /^done$/m, "the script's own output passed through (to stderr with --json)");
    assert.equal(out.step_count, 4);
    out.steps.forEach((s, i) => {
      assert.deepEqual([s.step, s.t_source, s.tokens], [i + 1, 'own', 64]);
      assert.ok(s.t - s.t_start! >= 0.075 && s.t - s.t_start! < 0.2, `step ${s.step} lasted ${s.t - s.t_start!} s`);
      assert.ok(Math.abs(s.loss! - (2.0 - i / 10)) < 1e-9);
    });
  });
  it('the helper from a real PyTorch loop', { skip: torchPython ? false : "no python with torch (Debian's python3-torch)" }, async () => {
    const { out } = await runPython(`import torch, rle_steps
torch.manual_seed(0)
m = torch.nn.Linear(8, 1); opt = torch.optim.SGD(m.parameters(), lr=0.1)
x = torch.randn(64, 8); y = x.sum(1, keepdim=True)
for i in range(5):
    with rle_steps.step(tokens=x.shape[0]):
        loss = torch.nn.functional.mse_loss(m(x), y)
        opt.zero_grad(); loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(m.parameters(), 10.0)
        opt.step()
    rle_steps.log(loss=loss.detach(), grad_norm=gn, learning_rate=0.1)
`, torchPython!);
    assert.equal(out.step_count, 5);
    assert.ok(out.steps.every((s) => s.t_source === 'own' && s.tokens === 64));
    assert.ok(out.steps.at(-1)!.loss! < out.steps[0]!.loss!, 'the loss falls');
  });
});
