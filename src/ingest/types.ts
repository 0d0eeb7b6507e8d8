/** What every importer returns: training steps with the wall times the trainer recorded. */

/** The per-step metrics an import can fill. */
export type Field = 'loss' | 'grad_norm' | 'learning_rate' | 'epoch' | 'tokens';
export const FIELDS: readonly Field[] = ['loss', 'grad_norm', 'learning_rate', 'epoch', 'tokens'];

export interface ImportedStep {
  /** Integer step number as the trainer counted it (HF: global_step). */
  step: number;
  /** Unix seconds: the step's wall time (its end) as the trainer recorded it. */
  t: number;
  /** The step's start, when the source records one (JSON lines only). */
  t_start: number | null;
  loss: number | null;
  grad_norm: number | null;
  learning_rate: number | null;
  epoch: number | null;
  /** Tokens of this step (or of the interval since the previous imported step). */
  tokens: number | null;
}

export type ImportFormat = 'tfevents' | 'mlflow' | 'jsonl';

export interface ImportResult {
  /** Sorted by step, one entry per step number. */
  steps: ImportedStep[];
  /** The path that was read (file or folder). */
  source: string;
  format: ImportFormat;
  warnings: string[];
  /** Tag (or MLflow key) → number of values seen, for every tag in the input. */
  tags?: Record<string, number>;
  /** Which tag filled each field. */
  fields?: Partial<Record<Field, string>>;
}

/** Field → tag (or metric key), as given by `--tag-map`; fields left out use the defaults. */
export type TagMap = Partial<Record<Field, string>>;
