/**
 * `rle workload` control loops on this machine (2 cores): achieved utilization follows the
 * target within a tolerance that allows for other processes; Ctrl-C stops the load at once;
 * `rle characterize` runs every workload and prints the table.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { CompareRow } from '../../src/report/compare.js';
import { CLI, runCli, tmpDir } from '../helpers.js';

interface WorkloadJson {
  session: string;
  status: string;
  label: string;
  control: { t_s: number[]; target_pct: number[]; achieved_pct: (number | null)[] };
  tracking_error_pct: number | null;
}

const BASE = ['--nvidia-smi', 'none', '--stats-interval', '0', '--json'];

async function workload(args: string[]): Promise<WorkloadJson> {
  const db = path.join(tmpDir(), 'rle.db');
  const r = await runCli(['workload', ...args, ...BASE, '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as WorkloadJson;
}

const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
function after(w: WorkloadJson, t0: number, t1 = Infinity): number[] {
  return w.control.t_s.flatMap((t, i) => (t >= t0 && t < t1 && w.control.achieved_pct[i] !== null ? [w.control.achieved_pct[i]!] : []));
}

describe('rle workload', () => {
  it('synthetic constant 0.5 on all cores → about 50 % utilization', async () => {
    const w = await workload(['synthetic', '--pattern', 'constant', '--intensity', '0.5', '--duration', '6', '--hz', '2']);
    assert.equal(w.label, 'synthetic-constant');
    const m = mean(after(w, 2));
    assert.ok(Math.abs(m - 50) < 12, `achieved ${m} %`);
    assert.ok(w.control.target_pct.every((t) => t === 50));
    assert.ok(w.tracking_error_pct! < 15);
  });
  it('a ramp rises', async () => {
    const w = await workload(['synthetic', '--pattern', 'ramp', '--intensity', '1', '--duration', '9', '--hz', '2']);
    const early = mean(after(w, 0.5, 3)), late = mean(after(w, 6.5));
    assert.ok(late - early > 35, `first third ${early} %, last third ${late} %`);
  });
  it('a sine shows its period', async () => {
    const w = await workload(['synthetic', '--pattern', 'sine', '--intensity', '0.9', '--period', '4', '--duration', '8', '--hz', '4']);
    const pairs = w.control.t_s.map((t, i) => [w.control.target_pct[i]!, w.control.achieved_pct[i]] as const).filter(([, a]) => a !== null) as [number, number][];
    // the measured utilization covers the sample's preceding interval: compare with the target half a sample earlier, and at lag 0
    const corr = (xs: number[], ys: number[]): number => {
      const mx = mean(xs), my = mean(ys);
      let sxy = 0, sxx = 0, syy = 0;
      xs.forEach((x, i) => {
        sxy += (x - mx) * (ys[i]! - my);
        sxx += (x - mx) ** 2;
        syy += (ys[i]! - my) ** 2;
      });
      return sxy / Math.sqrt(sxx * syy);
    };
    const r0 = corr(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
    const r1 = corr(pairs.slice(0, -1).map((p) => p[0]), pairs.slice(1).map((p) => p[1]));
    assert.ok(Math.max(r0, r1) > 0.6, `r ${r0} / ${r1}`);
  });
  it('idle adds no load, and stress loads every core', async () => {
    const idle = await workload(['idle', '--duration', '3', '--hz', '2']);
    const stress = await workload(['stress', '--duration', '4', '--hz', '2']);
    const mi = mean(after(idle, 0.5)), ms = mean(after(stress, 1.5));
    assert.ok(ms > 85, `stress ${ms} %`);
    assert.ok(ms - mi > 50, `idle ${mi} %, stress ${ms} %`);
  });
  it('Ctrl-C stops the load at once and leaves an interrupted session', async () => {
    const db = path.join(tmpDir(), 'rle.db');
    const child = spawn(process.execPath, [CLI, 'workload', 'stress', '--duration', '60', '--nvidia-smi', 'none', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!/^t +1\.\d s/m.test(out)) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        assert.fail(`no tick within 30 s: ${out}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const t0 = Date.now();
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', r));
    assert.ok(Date.now() - t0 < 3000, `stopped in ${Date.now() - t0} ms`);
    assert.equal(code, 130);
    const [s] = JSON.parse((await runCli(['sessions', '--json', '--db', db])).stdout) as { kind: string; status: string; name: string }[];
    assert.deepEqual([s!.kind, s!.name, s!.status], ['workload', 'stress', 'interrupted']);
  });
});

describe('rle characterize', () => {
  it('runs idle, stress and the synthetic patterns in turn and prints their table', async () => {
    const db = path.join(tmpDir(), 'rle.db');
    const r = await runCli(['characterize', '--duration', '2', '--cooldown', '0', '--hz', '4', '--json', '--nvidia-smi', 'none', '--stats-interval', '0', '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as CompareRow[];
    assert.deepEqual(rows.map((x) => x.label), ['idle', 'stress', 'synthetic-constant', 'synthetic-ramp', 'synthetic-sine', 'synthetic-square']);
    assert.ok(rows.every((x) => x.device === 'cpu' && x.samples >= 6));
  });
});
