/**
 * The workload classifier: a random forest (ml-random-forest) over window features. Features
 * missing in every training window are dropped; a missing value elsewhere is imputed with the
 * training median of that feature (the model keeps them), since the forest takes no NaN.
 * A session is classified by averaging its windows' class probabilities.
 */
import { RandomForestClassifier } from 'ml-random-forest';
import { FEATURE_NAMES } from './features.js';
import { MODEL_VERSION, type FingerprintModel } from './model-schema.js';

export { MODEL_VERSION, parseModel, type FingerprintModel } from './model-schema.js';

export interface TrainingSet {
  /** Feature rows (FEATURE_NAMES order), NaN for missing. */
  X: number[][];
  labels: string[];
}

export interface ForestOptions {
  trees: number;
  seed: number;
}

export const FOREST_DEFAULTS: ForestOptions = { trees: 100, seed: 1 };

function median(a: number[]): number {
  const s = a.filter(Number.isFinite).sort((x, y) => x - y);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function trainModel(set: TrainingSet, windowS: number, o: ForestOptions = FOREST_DEFAULTS, about: Record<string, unknown> = {}): FingerprintModel {
  const labels = [...new Set(set.labels)].sort();
  if (labels.length < 2) throw new Error(`need at least two labels to tell apart, got ${labels.join(', ') || 'none'}`);
  const used = FEATURE_NAMES.map((_, j) => j).filter((j) => set.X.some((r) => Number.isFinite(r[j])));
  const medians = used.map((j) => median(set.X.map((r) => r[j]!)));
  const X = set.X.map((r) => used.map((j, k) => (Number.isFinite(r[j]) ? r[j]! : medians[k]!)));
  const y = set.labels.map((l) => labels.indexOf(l));
  const forest = new RandomForestClassifier({ nEstimators: o.trees, seed: o.seed, maxFeatures: Math.max(1, Math.round(Math.sqrt(used.length))) / used.length, replacement: true, useSampleBagging: true, noOOB: true });
  forest.train(X, y);
  return { format: 'rle-fingerprint', version: MODEL_VERSION, window_s: windowS, labels, features: used.map((j) => FEATURE_NAMES[j]!), medians, forest: forest.toJSON() as unknown as FingerprintModel['forest'], about };
}

export interface Classification {
  label: string;
  probabilities: Record<string, number>;
  windows: number;
  /** Window features the model uses that this session lacked (imputed). */
  imputed_features: string[];
}

export function classify(model: FingerprintModel, rows: number[][]): Classification {
  const forest = RandomForestClassifier.load(model.forest as never);
  const idx = model.features.map((f) => FEATURE_NAMES.indexOf(f));
  const imputed = new Set<string>();
  const X = rows.map((r) =>
    idx.map((j, k) => {
      const v = j >= 0 ? r[j]! : NaN;
      if (Number.isFinite(v)) return v;
      imputed.add(model.features[k]!);
      return model.medians[k]!;
    }),
  );
  // Votes counted here: ml-random-forest 2.1's predictProbability seeds its sum with the first
  // tree's vote (a reduce without an initial value), so its probabilities are off.
  const votes = X.length > 0 ? (forest as unknown as { predictionValues(x: number[][]): { to2DArray(): number[][] } }).predictionValues(X).to2DArray() : [];
  const probabilities: Record<string, number> = Object.fromEntries(model.labels.map((l) => [l, 0]));
  for (const row of votes) for (const v of row) probabilities[model.labels[v]!]! += 1 / (row.length * votes.length);
  const label = model.labels.reduce((a, b) => (probabilities[b]! > probabilities[a]! ? b : a));
  return { label, probabilities, windows: rows.length, imputed_features: [...imputed] };
}

