/**
 * MLflow file store runs (`mlruns/<experiment_id>/<run_id>/`) → training steps. Each metric is
 * one file under `metrics/`, its key the path below it (`system/cpu_utilization_percentage`
 * is a nested folder), one line per value: `timestamp_ms value step`, as MLflow's FileStore
 * writes them (`"%s %s %s\n" % (timestamp, value, step)`). Its reader also accepts the two-field
 * lines of old stores, with step 0; so does this one.
 */
import { createReadStream } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { RleError } from '../errors.js';
import { filesBelow } from './walk.js';
import { fsErrorReason } from '../store/files.js';
import { SeriesCollector } from './series.js';
import { wallTimeProblem } from './times.js';
import type { ImportResult, TagMap } from './types.js';

const INT = /^[-+]?\d+$/;
/** What Python's float() accepts for the values MLflow writes (str(float): 1e-05, nan, inf). */
const FLOAT = /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf|infinity)$/i;

function pyFloat(s: string): number | null {
  if (!FLOAT.test(s)) return null;
  const low = s.toLowerCase().replace(/^\+/, '');
  if (low === 'nan' || low === '-nan') return NaN;
  if (low === 'inf' || low === 'infinity') return Infinity;
  if (low === '-inf' || low === '-infinity') return -Infinity;
  return Number(s);
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await fsp.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** The `metrics/` folder of a run folder, or the folder itself when it is one; null when neither. */
export async function mlflowMetricsDir(dir: string): Promise<string | null> {
  if (await isDir(path.join(dir, 'metrics'))) return path.join(dir, 'metrics');
  if (path.basename(path.resolve(dir)) === 'metrics' && (await isDir(dir))) return dir;
  return null;
}

/** Metric key → file, for every file below `metricsDir` (keys may hold `/`: nested folders). */
async function metricFiles(metricsDir: string): Promise<[string, string][]> {
  return (await filesBelow(metricsDir)).map((f) => [f.rel, f.path]);
}

async function readMetricFile(key: string, file: string, series: SeriesCollector): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const raw of lines) {
      n++;
      const line = raw.trim();
      if (line === '') continue;
      const parts = line.split(/\s+/);
      const bad = (why: string): never => {
        throw new RleError('E_INPUT_FORMAT', `metric "${key}": ${why} in "${line}"; expected "timestamp_ms value step"`, { file, line: n });
      };
      if (parts.length !== 2 && parts.length !== 3) bad(`${parts.length} fields`);
      const [ts, val, st] = parts as [string, string, string | undefined];
      if (!INT.test(ts)) bad(`timestamp "${ts}" is not an integer`);
      const value = pyFloat(val);
      if (value === null) bad(`value "${val}" is not a number`);
      if (st !== undefined && !INT.test(st)) bad(`step "${st}" is not an integer`);
      const step = st === undefined ? 0 : Number(st);
      if (!Number.isSafeInteger(step)) bad(`step ${st} is outside the safe integer range`);
      const t = Number(ts) / 1000;
      const why = wallTimeProblem(t);
      if (why !== null) throw new RleError('E_INPUT_FORMAT', `metric "${key}": timestamp ${ts} ms: ${why}`, { file, line: n });
      series.add(key, step, t, value);
    }
  } catch (e) {
    if (e instanceof RleError) throw e;
    throw new RleError('E_INPUT_MISSING', `cannot read: ${fsErrorReason(e)}`, { file });
  }
}

/** Reads an MLflow run folder (or its `metrics/` folder) into steps. */
export async function readMlflow(input: string, opts: { tagMap?: TagMap } = {}): Promise<ImportResult> {
  const metricsDir = await mlflowMetricsDir(input);
  if (metricsDir === null) {
    let runs: string[] = [];
    try {
      const entries = await fsp.readdir(input, { withFileTypes: true });
      for (const e of entries) if (e.isDirectory() && (await isDir(path.join(input, e.name, 'metrics')))) runs.push(e.name);
    } catch (e) {
      throw new RleError('E_INPUT_MISSING', `cannot read folder: ${fsErrorReason(e)}`, { file: input });
    }
    runs = runs.sort();
    const hint = runs.length > 0 ? `; this looks like an experiment folder: pick one run (${runs.slice(0, 5).join(', ')}${runs.length > 5 ? ', …' : ''})` : '';
    throw new RleError('E_INPUT_FORMAT', `not an MLflow run folder (no metrics/ folder)${hint}`, { file: input });
  }
  const series = new SeriesCollector(opts.tagMap);
  for (const [key, file] of await metricFiles(metricsDir)) await readMetricFile(key, file, series);
  const warnings: string[] = [];
  const { steps, fields } = series.build(warnings);
  const tags = series.tags();
  if (steps.length === 0) {
    const seen = Object.entries(tags).map(([t, n]) => `${t} (${n})`).join(', ') || 'none';
    throw new RleError('E_INPUT_FORMAT', `no training steps found; metric keys seen: ${seen}. Map them with a tag map (e.g. loss=my/loss)`, { file: input });
  }
  return { steps, source: input, format: 'mlflow', warnings, tags, fields };
}
