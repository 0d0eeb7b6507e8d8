/**
 * Merges the records of one step number into one step. Each field keeps the value with the
 * latest wall time, and the step's time is the latest time among its records. Latest, because:
 * writers log one record per scalar a few ms apart after the step ended, so the last of them
 * is when the step's logging was complete; and a run resumed from a checkpoint repeats steps
 * in a new file, where the later records are the ones that belong to the run that went on.
 *
 * A record that carries only `epoch` (or HF's running token total, see series.ts) is not
 * evidence of a step and does not move its time: HF's evaluation and end-of-run logs repeat
 * the last step with `epoch` and the total, after the evaluation ran (minutes, on real runs),
 * and Lightning logs `epoch` beside every metric anyway. Such a record fills its field on a
 * step that other records made; alone it makes none.
 */
import { FIELDS, type Field, type ImportedStep } from './types.js';

interface Acc {
  t: number; // -Infinity until a timed record arrives
  t_start: number | null;
  tStartAt: number;
  values: (number | null)[];
  at: number[];
}

const INDEX: Record<Field, number> = { loss: 0, grad_norm: 1, learning_rate: 2, epoch: 3, tokens: 4 };

export class StepMerger {
  private readonly acc = new Map<number, Acc>();

  /**
   * One record: a step's values at wall time `t` (Unix s). `timed` (default: it carries a value
   * other than epoch) says whether the record dates the step.
   */
  add(step: number, t: number, values: Partial<Record<Field, number | null>>, opts: { t_start?: number | null; timed?: boolean } = {}): void {
    const t_start = opts.t_start ?? null;
    const a = this.get(step);
    let timed = false;
    for (const f of FIELDS) {
      const v = values[f];
      if (v === undefined || v === null) continue;
      if (f !== 'epoch') timed = true;
      this.put(a, INDEX[f], t, v);
    }
    if (t_start !== null && t >= a.tStartAt) {
      a.t_start = t_start;
      a.tStartAt = t;
    }
    if ((opts.timed ?? timed) && t > a.t) a.t = t;
  }

  /** One field's value (the hot path of tag series: no object per value). */
  addField(step: number, t: number, field: Field, value: number, timed = field !== 'epoch'): void {
    const a = this.get(step);
    this.put(a, INDEX[field], t, value);
    if (timed && t > a.t) a.t = t;
  }

  private get(step: number): Acc {
    let a = this.acc.get(step);
    if (a === undefined) {
      a = { t: -Infinity, t_start: null, tStartAt: -Infinity, values: [null, null, null, null, null], at: [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity] };
      this.acc.set(step, a);
    }
    return a;
  }

  private put(a: Acc, i: number, t: number, v: number): void {
    if (t >= a.at[i]!) {
      a.values[i] = v;
      a.at[i] = t;
    }
  }

  /** The merged steps, sorted by step; steps made only of `epoch` records are left out. */
  steps(): ImportedStep[] {
    const out: ImportedStep[] = [];
    for (const [step, a] of this.acc) {
      if (a.t === -Infinity) continue;
      const [loss, grad_norm, learning_rate, epoch, tokens] = a.values as [number | null, number | null, number | null, number | null, number | null];
      out.push({ step, t: a.t, t_start: a.t_start, loss, grad_norm, learning_rate, epoch, tokens });
    }
    return out.sort((x, y) => x.step - y.step);
  }
}
