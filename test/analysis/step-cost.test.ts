/** Per-step cost: step intervals from end stamps, and energy by interpolating a cumulative counter. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { counterAt, stepEnergy, stepIntervals, type StepInput } from '../../src/analysis/step-cost.js';

const st = (step: number, t: number, tokens: number | null = 100, t_start: number | null = null): StepInput => ({ step, t, t_start, tokens });
const close = (a: number | null, b: number, eps = 1e-9): void => assert.ok(a !== null && Math.abs(a - b) < eps, `${a} vs ${b}`);

describe('step intervals', () => {
  it('start = own start, else the previous end, else the training start; tokens per second', () => {
    const s = stepIntervals([st(1, 10.5), st(2, 11), st(3, 12, 50, 11.5)], 10);
    assert.deepEqual(s.map((x) => [x.step, x.start, x.end, x.duration_s]), [[1, 10, 10.5, 0.5], [2, 10.5, 11, 0.5], [3, 11.5, 12, 0.5]]);
    assert.deepEqual(s.map((x) => x.tokens_per_s), [200, 200, 100]);
  });
  it('the first step without a training start is kept with no start or duration', () => {
    const [a, b] = stepIntervals([st(1, 10.5, null), st(2, 11)], null);
    assert.deepEqual(a, { step: 1, start: null, end: 10.5, duration_s: null, tokens: null, tokens_per_s: null });
    assert.equal(b!.duration_s, 0.5);
    // a training start after the step's end is not its start
    assert.equal(stepIntervals([st(1, 10.5)], 11)[0]!.start, null);
  });
  it('sorted by end time; a step seen twice keeps its latest record', () => {
    const s = stepIntervals([st(2, 12), st(1, 11), st(3, 13), st(2, 14, 7)], 10);
    assert.deepEqual(s.map((x) => [x.step, x.start, x.end, x.tokens]), [[1, 10, 11, 100], [3, 11, 13, 100], [2, 13, 14, 7]]);
  });
  it('steps already in order (as the store gives them) come out as the same steps shuffled do; a repeat, a NaN time or a step back in time is still handled', () => {
    let seed = 3;
    const u = (): number => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
    const ordered: StepInput[] = [];
    for (let k = 1, t = 100; k <= 2000; k++) ordered.push(st(k, (t += u() < 0.05 ? 0 : u()), u() < 0.5 ? 10 : null, u() < 0.3 ? t - 0.2 : null));
    const shuffled = [...ordered].sort(() => u() - 0.5);
    assert.deepEqual(stepIntervals(ordered, 99), stepIntervals(shuffled, 99));
    // A step number seen again, later: its latest record wins, in order or not.
    const repeat = [...ordered, st(1500, 5000, 3)];
    const latest = stepIntervals(repeat, 99);
    assert.equal(latest.length, 2000);
    assert.deepEqual(latest.at(-1), { step: 1500, start: ordered.at(-1)!.t, end: 5000, duration_s: 5000 - ordered.at(-1)!.t, tokens: 3, tokens_per_s: 3 / (5000 - ordered.at(-1)!.t) });
    assert.deepEqual(stepIntervals([st(1, 10), st(2, NaN), st(3, 12)], 9).map((x) => x.step), [1, 3]);
    assert.deepEqual(stepIntervals([st(1, 10), st(2, 12), st(3, 11)], 9).map((x) => [x.step, x.start]), [[1, 9], [3, 10], [2, 11]]);
  });
});

describe('counter interpolation', () => {
  // A linear counter, 50 W from t = 100, sampled at 1 s: J(t) = 50 (t − 100).
  const t = Array.from({ length: 11 }, (_, i) => 100 + i);
  const c = { t, joules: t.map((x) => 50 * (x - 100)) };
  it('is exact on a linear counter, across sample boundaries', () => {
    close(counterAt(c, 103.25, 5), 162.5);
    const steps = stepIntervals([st(1, 100.7), st(2, 102.3), st(3, 102.4), st(4, 109.95)], 100.2);
    const e = stepEnergy(steps, c);
    [0.5, 1.6, 0.1, 7.55].forEach((d, i) => close(e.joules[i]!, 50 * d, 1e-9));
    close(e.j_per_token[1]!, 0.8);
    close(e.total_j, 50 * (109.95 - 100.2));
    close(e.median_j_per_step, (25 + 80) / 2);
    assert.equal(e.max_gap_s, 5);
  });
  it('a step outside the coverage → null', () => {
    const e = stepEnergy(stepIntervals([st(1, 100.5), st(2, 111), st(3, 112)], 99.5), c);
    assert.deepEqual(e.joules, [null, null, null]);
    assert.equal(e.total_j, null);
    assert.equal(counterAt(c, 110, 5), 500); // the last sample itself is covered
  });
  it('an end in a gap → null: a null reading, or samples further apart than the max gap', () => {
    const withNull = { t, joules: c.joules.map((j, i) => (i === 4 ? null : j)) };
    const e = stepEnergy(stepIntervals([st(1, 103.5), st(2, 104.5), st(3, 105), st(4, 106.5)], 102.5), withNull);
    assert.deepEqual(e.joules.slice(0, 3), [null, null, null]); // each has an end between 103 and 105 (104 missing)
    close(e.joules[3]!, 75);
    // a step that merely spans the missing sample is fine: the counter is cumulative
    close(stepEnergy(stepIntervals([st(1, 105)], 103), withNull).joules[0]!, 100);
    const gappy = { t: [100, 101, 102, 120, 121], joules: [0, 50, 100, 1000, 1050] };
    const g = stepEnergy(stepIntervals([st(1, 101.5), st(2, 110), st(3, 120.5)], 100.5), gappy, 5);
    close(g.joules[0]!, 50);
    assert.deepEqual([g.joules[1], g.joules[2]], [null, null]);
  });
  it('a counter that went down inside a step (a reset) → null', () => {
    const reset = { t, joules: c.joules.map((j, i) => (i >= 5 ? j - 240 : j)) };
    const e = stepEnergy(stepIntervals([st(1, 102), st(2, 106), st(3, 108)], 101), reset);
    assert.deepEqual([e.joules[0], e.joules[1]], [50, null]);
    close(e.joules[2]!, 100);
  });
});
