/**
 * Training steps as columns (one typed array per field, null as NaN — the store holds no NaN:
 * SQLite keeps it as NULL), so that a thread can hand 500,000 of them to another by transfer
 * instead of a structured clone of half a million objects; and back into the store's records,
 * the same keys in the same order.
 */
import type { StepRecord } from './session-store.js';

const NUMERIC = ['step', 't', 't_start', 'loss', 'grad_norm', 'learning_rate', 'tokens', 'epoch'] as const;

export interface StepColumns {
  numbers: Record<(typeof NUMERIC)[number], Float64Array>;
  /** Index into `sources` per step. */
  source: Uint8Array;
  sources: (string | null)[];
}

export function toColumns(steps: readonly StepRecord[]): StepColumns {
  const n = steps.length;
  const numbers = Object.fromEntries(NUMERIC.map((k) => [k, new Float64Array(n)])) as StepColumns['numbers'];
  const source = new Uint8Array(n), sources: (string | null)[] = [];
  steps.forEach((s, i) => {
    for (const k of NUMERIC) numbers[k][i] = s[k] ?? NaN;
    const src = s.t_source ?? null;
    let j = sources.indexOf(src);
    if (j < 0) j = sources.push(src) - 1;
    source[i] = j;
  });
  return { numbers, source, sources };
}

export function fromColumns(c: StepColumns): StepRecord[] {
  const { step, t, t_start, loss, grad_norm, learning_rate, tokens, epoch } = c.numbers;
  const v = (a: Float64Array, i: number): number | null => (Number.isNaN(a[i]!) ? null : a[i]!);
  return Array.from(c.source, (j, i) => ({
    step: step[i]!,
    t: t[i]!,
    t_start: v(t_start, i),
    t_source: c.sources[j] as StepRecord['t_source'],
    loss: v(loss, i),
    grad_norm: v(grad_norm, i),
    learning_rate: v(learning_rate, i),
    tokens: v(tokens, i),
    epoch: v(epoch, i),
  }));
}

/** The columns' buffers, to transfer. */
export function columnBuffers(c: StepColumns): ArrayBuffer[] {
  return [...Object.values(c.numbers), c.source].map((a) => a.buffer as ArrayBuffer);
}
