/**
 * Grouped cross-validation: sessions (never single windows) are split into folds, so no
 * window of a test session was seen in training — windows of one session are alike and would
 * otherwise leak. Sessions are dealt to folds label by label, round robin, so each fold gets
 * every label it can.
 */
import { classify, trainModel, type ForestOptions } from './model.js';

export interface LabelledSession {
  label: string;
  id: string;
  windows: number[][];
}

export interface Evaluation {
  folds: number;
  sessions: number;
  windows: number;
  /** Windows classified correctly, over all test windows. */
  window_accuracy: number;
  /** Sessions whose whole-session vote was right. */
  session_accuracy: number;
  labels: string[];
  /** confusion[true][predicted], counted in sessions. */
  confusion: Record<string, Record<string, number>>;
  assignments: { id: string; label: string; fold: number; predicted: string }[];
}

export function foldsOf(sessions: readonly LabelledSession[], k: number): number[] {
  const fold = new Array<number>(sessions.length).fill(0);
  let next = 0;
  for (const label of [...new Set(sessions.map((s) => s.label))].sort()) {
    sessions.forEach((s, i) => {
      if (s.label === label) fold[i] = next++ % k;
    });
  }
  return fold;
}

export function evaluate(sessions: readonly LabelledSession[], k: number, windowS: number, o: ForestOptions): Evaluation {
  const folds = Math.min(k, sessions.length);
  const fold = foldsOf(sessions, folds);
  const labels = [...new Set(sessions.map((s) => s.label))].sort();
  const confusion: Evaluation['confusion'] = Object.fromEntries(labels.map((a) => [a, Object.fromEntries(labels.map((b) => [b, 0]))]));
  const assignments: Evaluation['assignments'] = [];
  let right = 0, total = 0, sessionsRight = 0;
  for (let f = 0; f < folds; f++) {
    const train = sessions.filter((_, i) => fold[i] !== f);
    const test = sessions.filter((_, i) => fold[i] === f);
    if (test.length === 0 || new Set(train.map((s) => s.label)).size < 2) continue;
    const model = trainModel({ X: train.flatMap((s) => s.windows), labels: train.flatMap((s) => s.windows.map(() => s.label)) }, windowS, o);
    for (const s of test) {
      for (const w of s.windows) {
        total++;
        if (classify(model, [w]).label === s.label) right++;
      }
      const predicted = classify(model, s.windows).label;
      if (predicted === s.label) sessionsRight++;
      confusion[s.label]![predicted] = (confusion[s.label]![predicted] ?? 0) + 1;
      assignments.push({ id: s.id, label: s.label, fold: f, predicted });
    }
  }
  return { folds, sessions: assignments.length, windows: total, window_accuracy: total > 0 ? right / total : NaN, session_accuracy: assignments.length > 0 ? sessionsRight / assignments.length : NaN, labels, confusion, assignments };
}
