/** The workload classifier: separable classes are learnt, non-separable ones are not (no leakage in grouped CV). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, foldsOf, type LabelledSession } from '../../src/fingerprint/evaluate.js';
import { FEATURE_NAMES } from '../../src/fingerprint/features.js';
import { classify, trainModel } from '../../src/fingerprint/model.js';
import { gauss, rng } from '../helpers.js';

const F = FEATURE_NAMES.length;

/** Sessions of windows; a session's windows share a session-level offset (as real sessions do). */
function sessions(u: () => number, labels: string[], perLabel: number, sep: number): LabelledSession[] {
  const out: LabelledSession[] = [];
  labels.forEach((label, li) => {
    for (let s = 0; s < perLabel; s++) {
      const offset = Array.from({ length: F }, () => gauss(u));
      const windows = Array.from({ length: 6 }, () => Array.from({ length: F }, (_, j) => (j < 5 ? sep * li : 0) + offset[j]! + 0.3 * gauss(u)));
      out.push({ label, id: `${label}-${s}`, windows });
    }
  });
  return out;
}

describe('fingerprint classifier', () => {
  it('learns separable classes: grouped CV accuracy near 1', () => {
    const r = evaluate(sessions(rng(1), ['idle', 'stress', 'train'], 5, 6), 5, 30, { trees: 30, seed: 1 });
    assert.ok(r.session_accuracy >= 0.9, JSON.stringify(r.confusion));
    assert.ok(r.window_accuracy >= 0.9);
    assert.equal(r.sessions, 15);
  });
  it('does not learn non-separable classes: accuracy near chance (session effects do not leak)', () => {
    const accs: number[] = [];
    for (const seed of [2, 3, 4]) accs.push(evaluate(sessions(rng(seed), ['a', 'b'], 6, 0), 3, 30, { trees: 30, seed }).window_accuracy);
    const mean = accs.reduce((x, y) => x + y, 0) / accs.length;
    assert.ok(mean < 0.75, `mean accuracy ${mean} on identical classes`);
  });
  it('never puts one session in training and test at once, and deals labels across folds', () => {
    const ss = sessions(rng(5), ['a', 'b'], 5, 3);
    const folds = foldsOf(ss, 5);
    for (const label of ['a', 'b']) assert.deepEqual(ss.map((s, i) => (s.label === label ? folds[i] : -1)).filter((f) => f !== undefined && f >= 0).sort(), [0, 1, 2, 3, 4]);
    const r = evaluate(ss, 5, 30, { trees: 10, seed: 1 });
    assert.equal(new Set(r.assignments.map((a) => a.id)).size, r.assignments.length, 'each session tested exactly once');
  });
  it('classifies a whole session by averaging window probabilities; missing features are imputed and named', () => {
    const ss = sessions(rng(6), ['idle', 'stress'], 4, 6);
    const model = trainModel({ X: ss.flatMap((s) => s.windows), labels: ss.flatMap((s) => s.windows.map(() => s.label)) }, 30, { trees: 30, seed: 1 });
    const probe = ss.find((s) => s.label === 'stress')!.windows.map((w) => w.map((v, j) => (j === 0 ? NaN : v)));
    const c = classify(JSON.parse(JSON.stringify(model)) as typeof model, probe);
    assert.equal(c.label, 'stress');
    assert.equal(c.windows, 6);
    assert.ok(Math.abs(c.probabilities.idle! + c.probabilities.stress! - 1) < 1e-6);
    assert.deepEqual(c.imputed_features, [FEATURE_NAMES[0]]);
  });
});
