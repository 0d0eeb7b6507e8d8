/**
 * `rle fingerprint train|classify|evaluate`: recognise a workload from its thermal signature.
 * Sessions are stored ids or session CSVs; features come from one device per session (the
 * one given by --device, else cpu, else the device with the most samples).
 */
import { Command } from 'commander';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PKG_ROOT } from '../../package-root.js';
import { loadCsvSession, loadStoredSession, type DeviceSeries, type SessionData } from '../../replay/series.js';
import { RleError } from '../../errors.js';
import { evaluate, type LabelledSession } from '../../fingerprint/evaluate.js';
import { FEATURE_NAMES, sessionWindows, WINDOW_DEFAULT_S } from '../../fingerprint/features.js';
import { classify, FOREST_DEFAULTS, isModel, trainModel, type FingerprintModel } from '../../fingerprint/model.js';
import { writeFileAtomic } from '../../store/files.js';
import type { SessionStore } from '../../store/session-store.js';
import { nonNegativeInt, positive, positiveInt } from '../options.js';
import { addStoreOption, openStore, storePath, type StoreFlags } from '../store-options.js';
import { packageVersion } from '../version.js';

interface FpFlags extends StoreFlags {
  device?: string;
  window: number;
  trees: number;
  seed: number;
  json?: boolean;
  out?: string;
  folds: number;
}

/** The model shipped with rle (trained on the built-in workloads; see its "about"). */
export const DEFAULT_MODEL = path.join(PKG_ROOT, 'models', 'fingerprint-default.json');

class Sessions {
  private store: SessionStore | null | undefined;
  constructor(private readonly flags: FpFlags) {}
  async load(input: string): Promise<SessionData> {
    if (fs.existsSync(input)) return loadCsvSession(input);
    this.store ??= openStore(this.flags, { existing: true });
    if (!this.store) throw new RleError('E_INPUT_MISSING', `no such file, nor a session store at ${storePath(this.flags)}`, { file: input });
    return loadStoredSession(this.store, input);
  }
  close(): void {
    this.store?.close();
  }
}

function pickDevice(data: SessionData, want: string | undefined): DeviceSeries {
  if (want) {
    const d = data.devices.find((x) => x.device === want);
    if (!d) throw new RleError('E_OPTION', `--device ${want}: not in ${data.id} (devices: ${data.devices.map((x) => x.device).join(', ') || 'none'})`);
    return d;
  }
  const d = data.devices.find((x) => x.device === 'cpu') ?? [...data.devices].sort((a, b) => b.t.length - a.t.length)[0];
  if (!d) throw new RleError('E_INPUT_FORMAT', `${data.id}: no telemetry samples`);
  return d;
}

function labelled(specs: string[]): { label: string; input: string }[] {
  return specs.map((s) => {
    const eq = s.indexOf('=');
    if (eq <= 0 || eq === s.length - 1) throw new RleError('E_USAGE', `expected <label>=<session-id|csv>, got "${s}"`);
    return { label: s.slice(0, eq), input: s.slice(eq + 1) };
  });
}

async function labelledSessions(specs: string[], flags: FpFlags): Promise<LabelledSession[]> {
  const src = new Sessions(flags);
  try {
    const out: LabelledSession[] = [];
    for (const { label, input } of labelled(specs)) {
      const data = await src.load(input);
      const windows = sessionWindows(pickDevice(data, flags.device), flags.window).map((w) => w.values);
      if (windows.length === 0) throw new RleError('E_INPUT_FORMAT', `${input}: too short for even one ${flags.window} s window`);
      out.push({ label, id: data.id, windows });
    }
    return out;
  } finally {
    src.close();
  }
}

function readModel(file: string): FingerprintModel {
  const where = file === 'default' ? DEFAULT_MODEL : file;
  let m: unknown;
  try {
    m = JSON.parse(fs.readFileSync(where, 'utf8'));
  } catch (e) {
    throw new RleError((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'E_INPUT_MISSING' : 'E_INPUT_FORMAT', `cannot read the model: ${(e as Error).message}`, { file: where });
  }
  if (!isModel(m)) throw new RleError('E_INPUT_FORMAT', 'not an rle fingerprint model', { file: where });
  return m;
}

export async function fpTrain(specs: string[], flags: FpFlags): Promise<void> {
  if (!flags.out) throw new RleError('E_USAGE', 'give the model file with -o model.json');
  const sessions = await labelledSessions(specs, flags);
  const o = { trees: flags.trees, seed: flags.seed };
  const cv = new Set(sessions.map((s) => s.label)).size >= 2 && sessions.length >= 3 ? evaluate(sessions, Math.min(5, sessions.length), flags.window, o) : null;
  const about = {
    trained_at: new Date().toISOString(),
    tool: `rle ${packageVersion()}`,
    host: { hostname: os.hostname(), cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? null },
    sessions: sessions.map((s) => ({ label: s.label, id: s.id, windows: s.windows.length })),
    grouped_cv: cv && { folds: cv.folds, window_accuracy: cv.window_accuracy, session_accuracy: cv.session_accuracy, confusion: cv.confusion },
  };
  const model = trainModel({ X: sessions.flatMap((s) => s.windows), labels: sessions.flatMap((s) => s.windows.map(() => s.label)) }, flags.window, o, about);
  // what the training sessions could not measure: the model cannot use it
  model.about.features_never_measured = FEATURE_NAMES.filter((f) => !model.features.includes(f));
  await writeFileAtomic(flags.out, JSON.stringify(model) + '\n');
  const acc = cv ? `; grouped ${cv.folds}-fold CV: window accuracy ${(cv.window_accuracy * 100).toFixed(1)} %, session accuracy ${(cv.session_accuracy * 100).toFixed(1)} %` : '';
  process.stderr.write(`rle fingerprint: ${model.labels.length} labels, ${sessions.length} sessions, ${about.sessions.reduce((a, s) => a + s.windows, 0)} windows, ${model.features.length} features${acc}; wrote ${flags.out}\n`);
}

export async function fpClassify(modelFile: string, input: string, flags: FpFlags): Promise<void> {
  const model = readModel(modelFile);
  const src = new Sessions(flags);
  let data: SessionData;
  try {
    data = await src.load(input);
  } finally {
    src.close();
  }
  const windows = sessionWindows(pickDevice(data, flags.device), model.window_s).map((w) => w.values);
  if (windows.length === 0) throw new RleError('E_INPUT_FORMAT', `too short for even one ${model.window_s} s window`, { file: input });
  const c = classify(model, windows);
  if (flags.json) process.stdout.write(JSON.stringify(c, null, 2) + '\n');
  else {
    const probs = Object.entries(c.probabilities).sort((a, b) => b[1] - a[1]).map(([l, p]) => `${l} ${(p * 100).toFixed(0)}%`).join(', ');
    process.stdout.write(`${c.label} (${probs}; ${c.windows} windows)\n`);
    if (c.imputed_features.length > 0) process.stderr.write(`rle fingerprint: note: this session lacks ${c.imputed_features.length} feature(s) the model uses (filled with training medians): ${c.imputed_features.slice(0, 6).join(', ')}${c.imputed_features.length > 6 ? ', …' : ''}\n`);
  }
}

export async function fpEvaluate(specs: string[], flags: FpFlags): Promise<void> {
  const sessions = await labelledSessions(specs, flags);
  if (new Set(sessions.map((s) => s.label)).size < 2) throw new RleError('E_USAGE', 'evaluation needs sessions of at least two labels');
  const r = evaluate(sessions, flags.folds, flags.window, { trees: flags.trees, seed: flags.seed });
  if (flags.json) {
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    return;
  }
  let out = `grouped ${r.folds}-fold cross-validation over ${r.sessions} sessions (${r.windows} windows; no session in training and test at once)\n`;
  out += `window accuracy ${(r.window_accuracy * 100).toFixed(1)} %, session accuracy ${(r.session_accuracy * 100).toFixed(1)} %\n\nconfusion (sessions; rows true, columns predicted)\n`;
  const w = Math.max(...r.labels.map((l) => l.length), 6);
  out += ' '.repeat(w) + r.labels.map((l) => l.padStart(w + 2)).join('') + '\n';
  for (const a of r.labels) out += a.padEnd(w) + r.labels.map((b) => String(r.confusion[a]![b]).padStart(w + 2)).join('') + '\n';
  process.stdout.write(out);
}

function common(cmd: Command): Command {
  cmd.option('--device <name>', 'device whose telemetry to use (default cpu, else the one with most samples)');
  addStoreOption(cmd);
  return cmd;
}

export function fingerprintCommand(): Command {
  const fp = new Command('fingerprint').description('recognise a workload from its thermal signature (random forest over window features)');
  const forest = (c: Command): Command =>
    c
      .option('--window <s>', 'window length, s', positive, WINDOW_DEFAULT_S)
      .option('--trees <n>', 'trees in the forest', positiveInt, FOREST_DEFAULTS.trees)
      .option('--seed <n>', 'seed of the forest', nonNegativeInt, FOREST_DEFAULTS.seed);
  fp.addCommand(
    common(forest(new Command('train').description('train a model on labelled sessions').argument('<label=session...>', 'e.g. stress=20261128-1852 idle=idle.csv').option('-o, --out <model.json>', 'model file to write'))).action((specs: string[], flags: FpFlags) => fpTrain(specs, flags)),
  );
  fp.addCommand(
    common(new Command('classify').description('classify a session: {"label", "probabilities", "windows"}').argument('<model>', `model file, or "default" (${DEFAULT_MODEL.replace(/.*\/models\//, 'models/')})`).argument('<session>', 'stored session id or session CSV').option('--json', 'print JSON')).action((m: string, s: string, flags: FpFlags) => fpClassify(m, s, flags)),
  );
  fp.addCommand(
    common(forest(new Command('evaluate').description('grouped cross-validation: accuracy and confusion matrix').argument('<label=session...>', 'labelled sessions').option('--folds <k>', 'folds', positiveInt, 5).option('--json', 'print JSON'))).action((specs: string[], flags: FpFlags) => fpEvaluate(specs, flags)),
  );
  return fp;
}
