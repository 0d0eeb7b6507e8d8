/**
 * Training logs of the earlier RLE tools (`training_log_*.json`): an array of per-step records
 * with `timestamp_shared` in Unix seconds (the clock the monitor used), plus a last summary
 * record with null metrics. `timestamp_iso` is local time without an offset and is not used.
 */
import fsp from 'node:fs/promises';
import { RleError } from '../errors.js';
import { fsErrorReason } from '../store/files.js';
import { parseJsonText } from '../store/json-input.js';
import type { StepRecord } from '../store/session-store.js';
import { wallTimeProblem } from './times.js';

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

export interface TrainingLog {
  readonly steps: StepRecord[];
  /** Records that are not steps: the closing summary (null metrics). */
  readonly skipped: number;
  /** Steps with metrics but no timestamp_shared: they cannot be placed on the telemetry clock. */
  readonly untimed: number;
  /** Steps whose time is before the previous step's (kept). */
  readonly backwards: number;
}

/**
 * The log's steps. A `timestamp_shared` that is not a time in 2000–2100 (1e15, −1e300: a
 * poisoned store breaks every export) is an error naming the record; a log with no timed
 * step at all is an error too (it would import nothing without a word).
 */
export async function readTrainingLog(file: string): Promise<TrainingLog> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    throw new RleError('E_INPUT_MISSING', `cannot read: ${fsErrorReason(e)}`, { file });
  }
  let data: unknown;
  try {
    data = parseJsonText(text);
  } catch (e) {
    throw new RleError('E_INPUT_FORMAT', `not JSON: ${(e as Error).message}`, { file });
  }
  if (!Array.isArray(data)) throw new RleError('E_INPUT_FORMAT', 'expected a JSON array of step records', { file });
  const steps: StepRecord[] = [];
  let skipped = 0;
  let untimed = 0;
  let backwards = 0;
  data.forEach((raw: unknown, i) => {
    const r = (raw ?? {}) as Record<string, unknown>;
    const step = num(r.step);
    const loss = num(r.loss);
    const gradNorm = num(r.grad_norm);
    if (typeof raw !== 'object' || step === null || !Number.isInteger(step)) {
      throw new RleError('E_INPUT_FORMAT', `record ${i}: no integer "step"`, { file });
    }
    // The closing summary record repeats the last step with null metrics: not a step.
    if (loss === null && gradNorm === null) {
      skipped++;
      return;
    }
    if (r.timestamp_shared === null || r.timestamp_shared === undefined) {
      untimed++;
      return;
    }
    const why = typeof r.timestamp_shared === 'number' ? wallTimeProblem(r.timestamp_shared) : `"timestamp_shared" ${JSON.stringify(r.timestamp_shared)} is not Unix seconds`;
    if (why) throw new RleError('E_INPUT_FORMAT', `record ${i} (step ${step}): timestamp_shared: ${why}`, { file });
    const t = r.timestamp_shared as number;
    if (steps.length > 0 && t < steps[steps.length - 1]!.t) backwards++;
    steps.push({ step, t, loss, grad_norm: gradNorm, learning_rate: num(r.learning_rate), epoch: num(r.epoch), tokens: num(r.tokens) });
  });
  if (steps.length === 0) {
    const why = untimed > 0 ? `all ${untimed} step record(s) lack "timestamp_shared"` : 'it holds no step records';
    throw new RleError('E_INPUT_FORMAT', `no training steps to import: ${why}, so none can be placed on the session's clock`, { file });
  }
  return { steps, skipped, untimed, backwards };
}
