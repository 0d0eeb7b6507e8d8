/**
 * Training logs of the earlier RLE tools (`training_log_*.json`): an array of per-step records
 * with `timestamp_shared` in Unix seconds (the clock the monitor used), plus a last summary
 * record with null metrics. `timestamp_iso` is local time without an offset and is not used.
 */
import fsp from 'node:fs/promises';
import { RleError } from '../errors.js';
import { fsErrorReason } from '../store/files.js';
import type { StepRecord } from '../store/session-store.js';

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

export async function readTrainingLog(file: string): Promise<{ steps: StepRecord[]; skipped: number }> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    throw new RleError('E_INPUT_MISSING', `cannot read: ${fsErrorReason(e)}`, { file });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new RleError('E_INPUT_FORMAT', `not JSON: ${(e as Error).message}`, { file });
  }
  if (!Array.isArray(data)) throw new RleError('E_INPUT_FORMAT', 'expected a JSON array of step records', { file });
  const steps: StepRecord[] = [];
  let skipped = 0;
  data.forEach((raw: unknown, i) => {
    const r = (raw ?? {}) as Record<string, unknown>;
    const step = num(r.step);
    const t = num(r.timestamp_shared);
    const loss = num(r.loss);
    const gradNorm = num(r.grad_norm);
    if (typeof raw !== 'object' || step === null || !Number.isInteger(step)) {
      throw new RleError('E_INPUT_FORMAT', `record ${i}: no integer "step"`, { file });
    }
    // The closing summary record repeats the last step with null metrics: not a step.
    if (t === null || (loss === null && gradNorm === null)) {
      skipped++;
      return;
    }
    steps.push({ step, t, loss, grad_norm: gradNorm, learning_rate: num(r.learning_rate), epoch: num(r.epoch), tokens: num(r.tokens) });
  });
  return { steps, skipped };
}
