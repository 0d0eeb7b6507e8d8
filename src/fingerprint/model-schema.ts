/**
 * The fingerprint model file, validated before ml-random-forest sees it: the envelope by a
 * zod schema (format, version, window range, labels, features, medians, the forest's shape),
 * then every tree by an explicit walk (no recursion, so a 20,000-deep tree is an error, not a
 * stack overflow): each node a leaf with a class distribution no wider than the labels, or a
 * split on a column the tree was given, to a bounded depth.
 */
import { z } from 'zod';
import { FEATURE_NAMES, WINDOW_MAX_S, WINDOW_MIN_S } from './features.js';

export const MODEL_VERSION = 1;
/** Deepest tree accepted (the shipped model's are 7 deep; ml-cart stops splitting small leaves). */
export const MAX_TREE_DEPTH = 100;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const count = z.int().nonnegative();

const Estimator = z.object({
  name: z.literal('DTClassifier'),
  options: z.looseObject({ kind: z.literal('classifier') }),
  root: z.unknown(),
});

const Forest = z.looseObject({
  name: z.literal('RFClassifier'),
  baseModel: z.looseObject({
    isClassifier: z.literal(true),
    nEstimators: z.int().positive(),
    indexes: z.array(z.array(count).min(1)),
    estimators: z.array(Estimator).min(1),
  }),
});

export const ModelSchema = z.object({
  format: z.literal('rle-fingerprint'),
  version: z.literal(MODEL_VERSION, { error: (i) => `version ${JSON.stringify(i.input)} is not supported (this rle reads version ${MODEL_VERSION})` }),
  window_s: finite.min(WINDOW_MIN_S).max(WINDOW_MAX_S),
  labels: z.array(z.string().min(1)).min(2, 'needs at least two labels'),
  features: z.array(z.enum(FEATURE_NAMES as [string, ...string[]])).min(1, 'needs at least one feature'),
  medians: z.array(finite),
  forest: Forest,
  about: z.record(z.string(), z.unknown()),
});

export type FingerprintModel = z.infer<typeof ModelSchema>;

/** zod's first issue as `path: message`. */
function firstIssue(e: z.ZodError): string {
  const i = e.issues[0]!;
  return i.path.length > 0 ? `"${i.path.join('.')}": ${i.message}` : i.message;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Why tree `t` (given `columns` feature columns, `classes` labels) is not a usable tree, or null. */
function treeProblem(root: unknown, columns: number, classes: number): string | null {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_TREE_DEPTH) return `deeper than ${MAX_TREE_DEPTH} levels`;
    if (!isObject(node)) return `a node at depth ${depth} is not an object`;
    if (node.distribution !== undefined) {
      const d = node.distribution;
      const row: unknown = Array.isArray(d) && d.length === 1 ? d[0] : null;
      if (!Array.isArray(row) || row.length < 1 || row.length > classes || !row.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        return `a leaf at depth ${depth} has no distribution over 1 to ${classes} classes`;
      }
      continue;
    }
    const col = node.splitColumn;
    if (!Number.isInteger(col) || (col as number) < 0 || (col as number) >= columns) return `a split at depth ${depth} is on column ${JSON.stringify(col)}, not one of its ${columns}`;
    if (typeof node.splitValue !== 'number' || !Number.isFinite(node.splitValue)) return `a split at depth ${depth} has no finite split value`;
    stack.push([node.left, depth + 1], [node.right, depth + 1]);
  }
  return null;
}

/** The model in `x`, or why it is not one (a message for people). */
export function parseModel(x: unknown): { model: FingerprintModel } | { problem: string } {
  const r = ModelSchema.safeParse(x);
  if (!r.success) return { problem: firstIssue(r.error) };
  const m = r.data;
  if (new Set(m.labels).size !== m.labels.length) return { problem: '"labels" repeat a label' };
  if (new Set(m.features).size !== m.features.length) return { problem: '"features" repeat a feature' };
  if (m.medians.length !== m.features.length) return { problem: `"medians" has ${m.medians.length} values for ${m.features.length} features` };
  const f = m.forest.baseModel;
  if (f.estimators.length !== f.nEstimators || f.indexes.length !== f.nEstimators) {
    return { problem: `the forest has ${f.estimators.length} trees and ${f.indexes.length} column sets for nEstimators ${f.nEstimators}` };
  }
  for (let i = 0; i < f.nEstimators; i++) {
    const cols = f.indexes[i]!;
    if (cols.some((c) => c >= m.features.length)) return { problem: `tree ${i} reads a column past the ${m.features.length} features` };
    const why = treeProblem(f.estimators[i]!.root, cols.length, m.labels.length);
    if (why) return { problem: `tree ${i}: ${why}` };
  }
  return { model: m };
}
