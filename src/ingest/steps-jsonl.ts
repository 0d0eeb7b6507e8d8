/**
 * JSON lines with times → training steps. One object per line: `step` (integer), a time
 * (`time`, `timestamp`, `t` or W&B's `_timestamp`: Unix seconds or ISO 8601 with an offset),
 * optionally the step's start (`start` / `t_start`, same forms), and `loss`, `grad_norm`,
 * `learning_rate` (or `lr`), `epoch`, `tokens`. Blank lines are skipped and a leading BOM is
 * tolerated. Python's json.dumps writes NaN / Infinity for non-finite floats; those are read
 * as such. A line without a time is an error: an import exists to be aligned by time.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { RleError } from '../errors.js';
import { fsErrorReason } from '../store/files.js';
import { StepMerger } from './merge-steps.js';
import { parseStepTime, stepTimeProblem } from './times.js';
import type { Field, ImportResult } from './types.js';

const TIME_KEYS = ['time', 'timestamp', 't', '_timestamp'] as const;
const START_KEYS = ['start', 't_start'] as const;
const FIELD_KEYS: readonly [Field, readonly string[]][] = [
  ['loss', ['loss']],
  ['grad_norm', ['grad_norm']],
  ['learning_rate', ['learning_rate', 'lr']],
  ['epoch', ['epoch']],
  ['tokens', ['tokens']],
];

/** Bare NaN / Infinity / -Infinity in value position (not valid JSON; Python writes them). */
const NON_FINITE = /([:[,]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g;
const MARK = '\u2063rle:'; // an invisible separator: not in keys or values anyone logs
const SENTINEL: Record<string, number> = { [`${MARK}NaN`]: NaN, [`${MARK}Infinity`]: Infinity, [`${MARK}-Infinity`]: -Infinity };

function parseLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (first) {
    if (!/NaN|Infinity/.test(text)) throw first;
    const marked = text.replace(NON_FINITE, (_m, pre: string, word: string) => `${pre}"${MARK}${word}"`);
    return JSON.parse(marked, (_k, v: unknown) => (typeof v === 'string' && v in SENTINEL ? SENTINEL[v] : v));
  }
}

function pick(rec: Record<string, unknown>, keys: readonly string[]): [string, unknown] | null {
  for (const k of keys) if (rec[k] !== undefined && rec[k] !== null) return [k, rec[k]];
  return null;
}

/** Reads a JSON-lines file of timed steps. */
export async function readStepsJsonl(file: string): Promise<ImportResult> {
  const merger = new StepMerger();
  const warnings: string[] = [];
  let n = 0;
  let count = 0;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  try {
    for await (const raw of lines) {
      n++;
      const text = (n === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
      if (text === '') continue;
      const fail = (why: string): never => {
        throw new RleError('E_INPUT_FORMAT', why, { file, line: n });
      };
      // A whole-file JSON array (the earlier RLE tools' training log is one) is not JSON lines.
      const arrayHint = 'a JSON array, not JSON lines (one object per line); the earlier RLE tools\' training_log_*.json goes to --training <file>';
      if (n === 1 && text === '[') fail(arrayHint);
      let rec: unknown;
      try {
        rec = parseLine(text);
      } catch (e) {
        fail(`not JSON: ${(e as Error).message}`);
      }
      if (n === 1 && Array.isArray(rec)) fail(arrayHint);
      if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) fail('expected one JSON object per line');
      const r = rec as Record<string, unknown>;
      const step = r.step;
      if (typeof step !== 'number' || !Number.isSafeInteger(step)) fail(`no integer "step" (got ${JSON.stringify(step) ?? 'nothing'})`);
      const time = pick(r, TIME_KEYS);
      if (time === null) fail(`step ${String(step)}: no time (${TIME_KEYS.join(', ')}); an import needs wall times to align with telemetry`);
      const t = parseStepTime(time![1]);
      if (t === null) fail(`step ${String(step)}: "${time![0]}": ${stepTimeProblem(time![1])}`);
      const start = pick(r, START_KEYS);
      let t_start: number | null = null;
      if (start !== null) {
        t_start = parseStepTime(start[1]);
        if (t_start === null) fail(`step ${String(step)}: "${start[0]}": ${stepTimeProblem(start[1])}`);
        if (t_start! > t!) fail(`step ${String(step)}: starts (${t_start}) after it ends (${t})`);
      }
      const values: Partial<Record<Field, number | null>> = {};
      for (const [field, keys] of FIELD_KEYS) {
        const hit = pick(r, keys);
        if (hit === null) continue;
        if (typeof hit[1] !== 'number') fail(`step ${String(step)}: "${hit[0]}" is not a number`);
        values[field] = hit[1] as number;
      }
      merger.add(step as number, t!, values, { t_start, timed: true });
      count++;
    }
  } catch (e) {
    if (e instanceof RleError) throw e;
    throw new RleError('E_INPUT_MISSING', `cannot read: ${fsErrorReason(e)}`, { file });
  }
  const steps = merger.steps();
  if (steps.length === 0) throw new RleError('E_INPUT_FORMAT', 'no steps: the file has no JSON lines', { file });
  if (steps.length < count) warnings.push(`${count - steps.length} line(s) repeat a step number; merged (the latest time wins)`);
  return { steps, source: file, format: 'jsonl', warnings };
}
