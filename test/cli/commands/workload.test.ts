/**
 * `rle workload` end to end: the load's own busy share follows the target (machine-wide
 * utilization is not asserted: other processes count in it); Ctrl-C stops the load at once;
 * `rle characterize` runs every workload and prints the table.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { CompareRow } from '../../../src/report/compare.js';
import { CLI, runCli, tmpDir } from '../../helpers.js';

interface WorkloadJson {
  session: string;
  status: string;
  label: string;
  control: { t_s: number[]; target_pct: number[]; achieved_pct: (number | null)[]; load_pct: (number | null)[]; load_asleep_pct: (number | null)[] };
  tracking_error_pct: number | null;
}

// One load thread unless the test is about every core: the suite shares this machine.
const BASE = ['--nvidia-smi', 'none', '--stats-interval', '0', '--json'];

async function workload(args: string[]): Promise<WorkloadJson> {
  const db = path.join(tmpDir(), 'rle.db');
  const r = await runCli(['workload', ...args, ...BASE, '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as WorkloadJson;
}

const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
/** The load's own share of each core over ticks with t0 ≤ t < t1. */
function load(w: WorkloadJson, t0: number, t1 = Infinity, series: 'load_pct' | 'load_asleep_pct' = 'load_pct'): number[] {
  return w.control.t_s.flatMap((t, i) => (t >= t0 && t < t1 && w.control[series][i] !== null ? [w.control[series][i]!] : []));
}

describe('rle workload', () => {
  it('synthetic constant 0.5: the target is 50 % throughout and the load keeps each core busy half the time', async () => {
    const w = await workload(['synthetic', '--pattern', 'constant', '--intensity', '0.5', '--duration', '3', '--hz', '2', '--threads', '1']);
    assert.equal(w.label, 'synthetic-constant');
    assert.ok(w.control.target_pct.every((t) => t === 50));
    assert.equal(w.control.t_s.length, 6);
    // The load's own CPU time: never above the target. It sleeps only in periods where it got
    // its 50 ms (then it slept at most as long) or gave up after a whole period without it (no
    // sleep), so its sleep never exceeds its CPU time: on a quiet machine both are about 50 %,
    // on a busy one the CPU time falls short and the sleep with it.
    const m = mean(load(w, 1)), asleep = mean(load(w, 1, Infinity, 'load_asleep_pct'));
    assert.ok(m < 57, `load ${m} %, asleep ${asleep} %`);
    assert.ok(asleep <= m + 5, `load ${m} %, asleep ${asleep} %`);
    assert.ok(w.control.achieved_pct.every((a) => a === null || (a >= 0 && a <= 100)), 'machine-wide utilization recorded');
  });
  it('a ramp rises, a square wave alternates, idle adds no load and stress keeps every core busy', async () => {
    const ramp = await workload(['synthetic', '--pattern', 'ramp', '--intensity', '1', '--duration', '3', '--hz', '4', '--threads', '1']);
    // What the load asked of each core (100 − its sleep share): on a busy machine it gets less,
    // and asks for at most twice its target (load-worker.ts), so the ramp keeps its shape.
    const demand = (w: WorkloadJson, t0: number, t1 = Infinity): number => 100 - mean(load(w, t0, t1, 'load_asleep_pct'));
    const early = demand(ramp, 0, 1), late = demand(ramp, 2);
    assert.ok(late - early > 40, `first third ${early} %, last third ${late} %`);
    const sq = await workload(['synthetic', '--pattern', 'square', '--intensity', '0.8', '--period', '1.6', '--duration', '3.2', '--hz', '5', '--threads', '1']);
    const phase = (a: number, b: number): number[] => sq.control.t_s.flatMap((t, i) => (t % 1.6 > a && t % 1.6 < b && sq.control.load_asleep_pct[i] !== null ? [100 - sq.control.load_asleep_pct[i]!] : []));
    const on = phase(0.3, 0.75), off = phase(1.1, 1.55);
    assert.ok(mean(on) - mean(off) > 50, `on ${mean(on)} %, off ${mean(off)} %`);
    const idle = await workload(['idle', '--duration', '1', '--hz', '2']);
    assert.ok(idle.control.load_pct.every((x) => x === 0), 'idle runs no load');
    // Stress never sleeps: every core's time is its own but for what other work takes.
    const stress = await workload(['stress', '--duration', '1', '--hz', '4']);
    const sAsleep = mean(load(stress, 0.4, Infinity, 'load_asleep_pct'));
    assert.ok(sAsleep < 2, `stress asleep ${sAsleep} % (on a CPU ${mean(load(stress, 0.4))} %)`);
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
    const csv = path.join(tmpDir(), 'char.csv');
    const r = await runCli(['characterize', '--duration', '0.6', '--threads', '1', '--cooldown', '0', '--hz', '5', '--json', '--nvidia-smi', 'none', '--stats-interval', '0', '--db', db, '--csv', csv, '--name', 'box']);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as CompareRow[];
    const labels = ['idle', 'stress', 'synthetic-constant', 'synthetic-ramp', 'synthetic-sine', 'synthetic-square'];
    assert.deepEqual(rows.map((x) => x.label), labels);
    assert.ok(rows.every((x) => x.device === 'cpu' && x.samples >= 3));
    // --csv: one file per workload (not only the last); --name prefixes every session's name
    for (const l of labels) assert.ok(fs.existsSync(path.join(path.dirname(csv), `char-${l}.csv`)), `char-${l}.csv`);
    const names = (JSON.parse((await runCli(['sessions', '--json', '--db', db])).stdout) as { name: string }[]).map((s) => s.name);
    assert.deepEqual(names, labels.map((l) => `box-${l}`));
  });
  it('takes no --pattern (it runs every pattern itself)', async () => {
    const r = await runCli(['characterize', '--pattern', 'sine']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option '--pattern'/);
  });
});
