/**
 * Training metrics in a command's output: Hugging Face Trainer log dicts, printed as Python
 * reprs (`{'loss': 4.5152, 'grad_norm': 12.8, 'learning_rate': 0.0, 'epoch': 0.4}`), and JSON
 * lines (`{"step": 3, "loss": 2.1, "time": 1767225600.43, …}`) — the drop-in helper's
 * (python/rle_steps.py) included. A line's own time (`time`, `timestamp`, `t`, `_timestamp`:
 * Unix seconds or ISO 8601) is the step's end, `start`/`t_start` its start; `"nan"`/`"inf"`
 * strings and Python's bare NaN/Infinity are non-finite values. Pure: a line in, a step's
 * metrics (or null) out.
 */
import { parseStepTime } from '../ingest/times.js';

export interface StepMetrics {
  step: number | null;
  loss: number | null;
  grad_norm: number | null;
  learning_rate: number | null;
  epoch: number | null;
  tokens: number | null;
  /** The line's own time of the step's end, Unix s (null: stamp on arrival). */
  time: number | null;
  /** The step's start, Unix s, when the line says. */
  start: number | null;
}

export type MetricFormat = 'auto' | 'hf' | 'jsonl';

/** `'key': value` pairs of a Python dict repr; values are numbers, nan/inf, bools, None or strings. */
const PY_PAIR = /'([A-Za-z_][\w.]*)':\s*(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|-?nan|-?inf|True|False|None|'[^']*')/g;
const PY_DICT = /\{\s*'[A-Za-z_][\w.]*':[^{}]*\}/;

/**
 * Keys that make a record a training step (HF also logs eval and end-of-run dicts): a metric,
 * or a step number with its own time (the helper's timing lines, when loss comes only every
 * logging_steps).
 */
const STEP_KEYS = ['loss', 'grad_norm'];
const TIME_KEYS = ['time', 'timestamp', 't', '_timestamp'];
const START_KEYS = ['start', 't_start'];
const NON_FINITE: Record<string, number> = { nan: NaN, '-nan': NaN, inf: Infinity, infinity: Infinity, '-inf': -Infinity, '-infinity': -Infinity };

function pyValue(raw: string): number | null {
  if (raw === 'nan' || raw === '-nan') return NaN;
  if (raw === 'inf') return Infinity;
  if (raw === '-inf') return -Infinity;
  const v = Number(raw);
  return Number.isNaN(v) ? null : v;
}

function timeOf(rec: Record<string, unknown>, keys: readonly string[]): number | null {
  for (const k of keys) if (k in rec) return parseStepTime(rec[k]);
  return null;
}

function fromRecord(rec: Record<string, unknown>): StepMetrics | null {
  const num = (...keys: string[]): number | null => {
    for (const k of keys) {
      const v = rec[k];
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && v.toLowerCase() in NON_FINITE) return NON_FINITE[v.toLowerCase()]!;
    }
    return null;
  };
  const step = num('step', 'global_step', 'iter');
  const time = timeOf(rec, TIME_KEYS);
  const timed = step !== null && Number.isInteger(step) && time !== null;
  if (!STEP_KEYS.some((k) => k in rec) && !timed) return null;
  return {
    step: step !== null && Number.isInteger(step) ? step : null,
    loss: num('loss', 'train_loss_step'),
    grad_norm: num('grad_norm'),
    learning_rate: num('learning_rate', 'lr'),
    epoch: num('epoch'),
    tokens: num('tokens', 'num_tokens'),
    time,
    start: timeOf(rec, START_KEYS),
  };
}

function parseHf(line: string): StepMetrics | null {
  const m = PY_DICT.exec(line);
  if (!m) return null;
  const rec: Record<string, unknown> = {};
  for (const [, key, raw] of m[0].matchAll(PY_PAIR)) {
    if (!raw!.startsWith("'")) rec[key!] = pyValue(raw!);
  }
  return fromRecord(rec);
}

/** Python's json.dumps writes bare NaN and Infinity (not JSON): read them as the helper's strings. */
const PY_NON_FINITE = /(:\s*)(-?)(NaN|Infinity)(?=\s*[,}])/g;

function parseJson(line: string): StepMetrics | null {
  const t = line.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return null;
  try {
    const rec = JSON.parse(t.includes('NaN') || t.includes('Infinity') ? t.replace(PY_NON_FINITE, (_, c: string, sign: string, w: string) => `${c}"${sign}${w === 'NaN' ? 'nan' : 'inf'}"`) : t) as unknown;
    return rec !== null && typeof rec === 'object' && !Array.isArray(rec) ? fromRecord(rec as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The step metrics in one output line, or null when the line carries none. */
export function parseMetricLine(line: string, format: MetricFormat = 'auto'): StepMetrics | null {
  if (format === 'jsonl') return parseJson(line);
  if (format === 'hf') return parseHf(line);
  return parseJson(line) ?? parseHf(line);
}
