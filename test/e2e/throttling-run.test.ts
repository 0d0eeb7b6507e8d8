/**
 * End to end: a fake machine that throttles (its files advanced in place by this test, on the
 * same wall clock as the job), a job whose steps slow down while it throttles, recorded with
 * `rle run`; the report must find the throttled interval, its cause, the time lost and the
 * energy per step, all against the truth the test knows.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { FakeMachine, type MachineState } from '../fake-machine.js';
import { FIXTURES, runCli, tmpDir } from '../helpers.js';

interface Scenario {
  name: string;
  machine: ConstructorParameters<typeof FakeMachine>[0];
  /** Seconds: normal, then throttled, then recovered. */
  phases: [number, number, number];
  normal: MachineState;
  hot: MachineState;
  cause: string;
  inferred: boolean;
}

const NORMAL_S = 0.1, THROTTLED_S = 0.3, TOKENS = 512;

const scenarios: Scenario[] = [
  {
    name: 'an Intel CPU whose thermal_throttle counters advance',
    machine: { critC: 100, throttleCounters: true },
    phases: [3, 3, 3],
    normal: { util: 100, tempC: 72, powerW: 40, freqMHz: 3000, throttleEvents: 0 },
    hot: { util: 100, tempC: 99, powerW: 30, freqMHz: 1900, throttleEvents: 5 },
    cause: 'thermal',
    inferred: false,
  },
  {
    name: 'an AMD-like CPU with no counters: temperature at the limit and a clock drop (inferred)',
    machine: { critC: 95, throttleCounters: false },
    phases: [3, 3, 3],
    normal: { util: 100, tempC: 80, powerW: 45, freqMHz: 3000, throttleEvents: null },
    hot: { util: 100, tempC: 94.5, powerW: 35, freqMHz: 2200, throttleEvents: null },
    cause: 'thermal',
    inferred: true,
  },
];

/** Intersection over union of disjoint intervals `a` with the interval `b`. */
function unionIou(a: [number, number][], b: [number, number]): number {
  const inter = a.reduce((s, x) => s + Math.max(0, Math.min(x[1], b[1]) - Math.max(x[0], b[0])), 0);
  const total = a.reduce((s, x) => s + (x[1] - x[0]), 0) + (b[1] - b[0]) - inter;
  return total > 0 ? inter / total : 0;
}

describe('a throttling machine under rle run', () => {
  for (const sc of scenarios) {
    it(`finds the interval, the cause, the lost time and J/step: ${sc.name}`, async (t) => {
      const m = new FakeMachine(sc.machine);
      const db = path.join(tmpDir(), 'rle.db');
      const start = Date.now() / 1000 + 1.5; // after rle's start-up
      const from = start + sc.phases[0], to = from + sc.phases[1], end = to + sc.phases[2];
      const drive = new Worker(new URL('./machine-driver.js', import.meta.url), { workerData: { options: sc.machine, root: m.root, from, to, until: end + 30, normal: sc.normal, hot: sc.hot } });
      const steps = Math.round((end - start) / NORMAL_S);
      const job = { steps, normalS: NORMAL_S, throttledS: THROTTLED_S, from, to, tokens: TOKENS };
      const wait = `const t = ${start}; while (Date.now() / 1000 < t);`;
      const r = await runCli(['run', '--json', '--hz', '10', '--nvidia-smi', 'none', '--sysfs-root', m.sys, '--procfs-root', m.proc, '--db', db, '--stats-interval', '0', '--',
        process.execPath, '-e', `${wait} process.argv[2] = ${JSON.stringify(JSON.stringify(job))}; import(${JSON.stringify(path.join(FIXTURES, 'run', 'throttling-job.mjs'))});`]);
      await drive.terminate();
      assert.equal(r.code, 0, r.stderr);
      const run = JSON.parse(r.stdout) as { session: string; steps: { step: number; t: number; t_start: number }[] };
      const rep = await runCli(['report', run.session, '--json', '--db', db]);
      assert.equal(rep.code, 0, rep.stderr);
      const s = JSON.parse(rep.stdout) as {
        throttle: Record<string, { evidence: string[]; intervals: { start: string; end: string; causes: string[]; inferred: boolean }[]; throttled_s: number }>;
        throttle_tax: { lost_s: number | null; baseline_step_s: number | null; throttled_steps: number; note: string | null };
        energy: Record<string, { joules_per_step: { median: number | null }; joules_per_token: number | null; source: string | null }>;
        headline: string;
      };
      // The truth, from the steps as they ran.
      // Lost time is what the throttled steps took beyond an unthrottled step: on a loaded test
      // machine every step runs slower than NORMAL_S, and that is not the throttle's doing.
      const inWindow = (x: { t_start: number }): boolean => x.t_start >= from && x.t_start < to;
      const duration = (x: { t: number; t_start: number }): number => x.t - x.t_start;
      const outside = run.steps.slice(3).filter((x) => x.t_start < from - 0.3 || x.t_start >= to + 0.3).map(duration).sort((a, b) => a - b);
      const unthrottled = outside[Math.floor(outside.length / 2)] ?? NORMAL_S;
      const lostTruth = run.steps.filter(inWindow).reduce((a, x) => a + Math.max(0, duration(x) - unthrottled), 0);
      const jTruth = sc.normal.powerW! * NORMAL_S; // the median step is an unthrottled one
      const cpu = s.throttle.cpu!;
      const found = cpu.intervals.map((x) => [Date.parse(x.start) / 1000, Date.parse(x.end) / 1000] as [number, number]);
      // The found intervals against the truth (on a loaded test machine the fake's files can
      // stall for a few samples and split an interval; a real kernel's do not).
      const best = unionIou(found, [from, to]);
      assert.ok(found.length >= 1 && found.length <= 2, `one interval (two at most): ${JSON.stringify(cpu.intervals)}`);
      const tax = s.throttle_tax;
      const j = s.energy.cpu!.joules_per_step.median!;
      t.diagnostic(`found ${JSON.stringify(found.map(([a, b]) => [+(a - from).toFixed(2), +(b - from).toFixed(2)]))} s after the truth's start; ${s.headline} | truth: ${(to - from).toFixed(1)} s throttled, ${lostTruth.toFixed(2)} s lost, ${jTruth} J/step | IoU ${best.toFixed(2)}, J/step ${j.toFixed(2)}`);
      assert.ok(best >= 0.6, `interval overlap ${best.toFixed(2)} (found ${JSON.stringify(cpu.intervals)})`);
      assert.ok(cpu.intervals.every((x) => x.causes.includes(sc.cause) && x.inferred === sc.inferred), JSON.stringify(cpu.intervals));
      assert.ok(tax.lost_s !== null, tax.note ?? 'no lost time');
      assert.ok(Math.abs(tax.lost_s - lostTruth) <= 0.25 * lostTruth, `lost ${tax.lost_s.toFixed(2)} s vs truth ${lostTruth.toFixed(2)} s`);
      assert.ok(Math.abs(j - jTruth) <= 0.15 * jTruth, `J/step ${j} vs ${jTruth}`);
      assert.match(s.energy.cpu!.source!, /RAPL/);
      const jpt = run.steps.reduce((a, x) => a + (x.t_start >= from && x.t_start < to ? sc.hot.powerW! : sc.normal.powerW!) * (x.t - x.t_start), 0) / (run.steps.length * TOKENS);
      assert.ok(Math.abs(s.energy.cpu!.joules_per_token! - jpt) <= 0.15 * jpt, `J/token ${s.energy.cpu!.joules_per_token} vs ${jpt}`);
    });
  }
});
