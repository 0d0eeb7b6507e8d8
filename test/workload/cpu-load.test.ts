/**
 * The duty-cycled load, measured by itself and by this process's own CPU time — never by
 * machine-wide utilization, which other processes share (green on a busy machine).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CpuLoad, type LoadShare } from '../../src/workload/cpu-load.js';

/** CPU seconds this process used during `f`, and the wall seconds it took. */
async function cpuOf(f: () => Promise<void>): Promise<{ cpu: number; wall: number }> {
  const c0 = process.cpuUsage(), t0 = performance.now();
  await f();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1e6, wall: (performance.now() - t0) / 1000 };
}

/**
 * Counted in the worker's own CPU time, the load never exceeds its duty and never sleeps more
 * than the rest of the period; it falls short of the duty only when it had no CPU to get it
 * from (a busy machine), and then it slept no more than what its wall-time cap (twice the
 * duty) leaves of the period.
 */
function meetsDuty(s: LoadShare, duty: number): void {
  const why = `duty ${duty}: on a CPU ${s.onCpu.toFixed(3)}, asleep ${s.asleep.toFixed(3)}`;
  assert.ok(s.onCpu < duty + 0.07, why);
  assert.ok(s.asleep < 1 - duty + 0.07, why);
  assert.ok(s.onCpu > duty - 0.05 || s.asleep < 1 - Math.min(1, 2 * duty) + 0.05, why);
}

describe('CpuLoad', () => {
  it('keeps each core busy for its duty of every period, as it measures itself', async () => {
    const load = new CpuLoad(1);
    load.setDuty(0.3);
    await sleep(300); // workers start
    load.achieved();
    await sleep(800);
    const a = load.achieved()!;
    load.setDuty(0.8);
    await sleep(300);
    load.achieved();
    await sleep(800);
    const b = load.achieved()!;
    await load.stop();
    meetsDuty(a, 0.3);
    meetsDuty(b, 0.8);
  });
  it('uses no more CPU than its duty asks, and none at duty 0', async () => {
    const load = new CpuLoad(2);
    load.setDuty(0);
    // Started: both workers have run a period (their start-up, module loading included, is
    // CPU this process spends, and on a busy machine it outlasts any fixed wait).
    const t0 = performance.now();
    while ((load.achieved()?.asleep ?? 0) < 0.5) {
      assert.ok(performance.now() - t0 < 20_000, 'the workers did not start within 20 s');
      await sleep(100);
    }
    await sleep(200);
    const idle = await cpuOf(() => sleep(600));
    load.setDuty(0.5);
    await sleep(200);
    const half = await cpuOf(() => sleep(1000));
    await load.stop();
    assert.ok(idle.cpu < 0.1 * idle.wall, `idle: ${idle.cpu.toFixed(3)} CPU s in ${idle.wall.toFixed(2)} s`);
    // at most 2 threads × 0.5 (+ slack for this test's own work); at least something ran
    assert.ok(half.cpu < 2 * 0.5 * half.wall + 0.15, `duty 0.5: ${half.cpu.toFixed(2)} CPU s in ${half.wall.toFixed(2)} s`);
    assert.ok(half.cpu > 0.1 * half.wall, `duty 0.5 used ${half.cpu.toFixed(2)} CPU s`); // it ran (less on a busy machine)
  });
  it('stops at once', async () => {
    const load = new CpuLoad(1);
    load.setDuty(1);
    await sleep(200);
    const t0 = performance.now();
    await load.stop();
    assert.ok(performance.now() - t0 < 500, `${performance.now() - t0} ms`);
    const after = await cpuOf(() => sleep(300));
    assert.ok(after.cpu < 0.05, `${after.cpu} CPU s after stop`);
  });
});
