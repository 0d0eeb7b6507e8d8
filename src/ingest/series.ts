/**
 * Tagged scalar series (TensorBoard tags, MLflow keys) → steps: counts every tag, keeps the
 * values of tags some field may use, picks one tag per field, and merges by step number.
 */
import { float32Shortest } from './event-proto.js';
import { StepMerger } from './merge-steps.js';
import { isCumulative, TagResolver } from './tag-map.js';
import { FIELDS, type Field, type ImportedStep, type TagMap } from './types.js';

interface Point {
  step: number;
  t: number;
  value: number;
}

/** One tag's kept values as columns (a 100 MB event file keeps millions). */
interface Columns {
  step: number[];
  t: number[];
  value: number[];
}

export class SeriesCollector {
  readonly counts = new Map<string, number>();
  private readonly kept = new Map<string, Columns>();
  private readonly resolver: TagResolver;

  constructor(private readonly tagMap: TagMap = {}) {
    this.resolver = new TagResolver(tagMap);
  }

  /**
   * One value of `tag` at `step`, wall time `t` (already validated); null counts a non-scalar
   * value. A float32 is kept as its shortest decimal (float32Shortest).
   */
  add(tag: string, step: number, t: number, value: number | null, float32 = false): void {
    this.counts.set(tag, (this.counts.get(tag) ?? 0) + 1);
    if (value === null || !this.resolver.wants(tag)) return;
    let c = this.kept.get(tag);
    if (c === undefined) this.kept.set(tag, (c = { step: [], t: [], value: [] }));
    c.step.push(step);
    c.t.push(t);
    c.value.push(float32 ? float32Shortest(value) : value);
  }

  tags(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** The merged steps and the tag each field used. */
  build(warnings: string[]): { steps: ImportedStep[]; fields: Partial<Record<Field, string>> } {
    const fields = this.resolver.choose(this.kept.keys(), this.tagMap, warnings);
    const merger = new StepMerger();
    for (const f of FIELDS) {
      const tag = fields[f];
      if (tag === undefined) continue;
      const c = this.kept.get(tag)!;
      if (f === 'tokens' && isCumulative(tag)) {
        for (const p of perStep(tag, c, warnings)) merger.addField(p.step, p.t, 'tokens', p.value, false);
      } else {
        for (let i = 0; i < c.step.length; i++) merger.addField(c.step[i]!, c.t[i]!, f, c.value[i]!);
      }
    }
    return { steps: merger.steps(), fields };
  }
}

/**
 * A running total → the increase since the previous logged step (HF logs every
 * `logging_steps`, so each value covers that interval). Like epoch, the total does not date a
 * step: HF repeats it in the evaluation and end-of-run logs of the same step, which can come
 * minutes after the step ended. The first point has no earlier total to
 * subtract (a resumed run's total includes the steps before it), so it gets no tokens; a total
 * that falls (a restart in the same folder) starts over the same way.
 */
function perStep(tag: string, c: Columns, warnings: string[]): Point[] {
  const last = new Map<number, Point>();
  for (let i = 0; i < c.step.length; i++) {
    const p = { step: c.step[i]!, t: c.t[i]!, value: c.value[i]! };
    const q = last.get(p.step);
    if (q === undefined || p.t >= q.t) last.set(p.step, p);
  }
  const sorted = [...last.values()].sort((a, b) => a.step - b.step);
  const out: Point[] = [];
  let falls = 0;
  for (let i = 1; i < sorted.length; i++) {
    const d = sorted[i]!.value - sorted[i - 1]!.value;
    if (d < 0) falls++;
    else out.push({ ...sorted[i]!, value: d });
  }
  if (falls > 0) warnings.push(`${tag}: the running total falls ${falls} time(s) (restarts?); those steps have no tokens`);
  return out;
}
