/**
 * Training metrics in a command's output: Hugging Face Trainer log dicts, printed as Python
 * reprs (`{'loss': 4.5152, 'grad_norm': 12.8, 'learning_rate': 0.0, 'epoch': 0.4}`), and JSON
 * lines (`{"step": 3, "loss": 2.1, …}`). Pure: a line in, a step's metrics (or null) out.
 */

export interface StepMetrics {
  step: number | null;
  loss: number | null;
  grad_norm: number | null;
  learning_rate: number | null;
  epoch: number | null;
  tokens: number | null;
}

export type MetricFormat = 'auto' | 'hf' | 'jsonl';

/** `'key': value` pairs of a Python dict repr; values are numbers, nan/inf, bools, None or strings. */
const PY_PAIR = /'([A-Za-z_][\w.]*)':\s*(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|-?nan|-?inf|True|False|None|'[^']*')/g;
const PY_DICT = /\{\s*'[A-Za-z_][\w.]*':[^{}]*\}/;

/** Keys that make a dict a training step (HF also logs eval and end-of-run dicts). */
const STEP_KEYS = ['loss', 'grad_norm'];

function pyValue(raw: string): number | null {
  if (raw === 'nan' || raw === '-nan') return NaN;
  if (raw === 'inf') return Infinity;
  if (raw === '-inf') return -Infinity;
  const v = Number(raw);
  return Number.isNaN(v) ? null : v;
}

function fromRecord(rec: Record<string, unknown>): StepMetrics | null {
  if (!STEP_KEYS.some((k) => k in rec)) return null;
  const num = (...keys: string[]): number | null => {
    for (const k of keys) {
      const v = rec[k];
      if (typeof v === 'number') return v;
    }
    return null;
  };
  const step = num('step', 'global_step', 'iter');
  return {
    step: step !== null && Number.isInteger(step) ? step : null,
    loss: num('loss', 'train_loss_step'),
    grad_norm: num('grad_norm'),
    learning_rate: num('learning_rate', 'lr'),
    epoch: num('epoch'),
    tokens: num('tokens', 'num_tokens'),
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

function parseJson(line: string): StepMetrics | null {
  const t = line.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return null;
  try {
    const rec = JSON.parse(t) as unknown;
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
