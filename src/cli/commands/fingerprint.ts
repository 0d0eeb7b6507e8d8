/** `rle fingerprint train|classify|evaluate`: recognise a workload from its thermal signature (src/app/fingerprint.ts). */
import { Command, InvalidArgumentError } from 'commander';
import { classifyInput, DEFAULT_MODEL, labelledSessions, readModel, trainFingerprint, type FingerprintInputs } from '../../app/fingerprint.js';
import { RleError } from '../../errors.js';
import { plural } from '../../report/format.js';
import { evaluate } from '../../fingerprint/evaluate.js';
import { WINDOW_DEFAULT_S, WINDOW_MAX_S, WINDOW_MIN_S } from '../../fingerprint/features.js';
import { FOREST_DEFAULTS } from '../../fingerprint/model.js';
import { nonNegativeInt, positiveInt } from '../options.js';
import { reportReadProblems } from '../session-input.js';
import { addStoreOption, storePath, type StoreFlags } from '../store-options.js';

interface FpFlags extends StoreFlags {
  device?: string;
  window: number;
  trees: number;
  seed: number;
  json?: boolean;
  out?: string;
  folds: number;
}

/** --window: seconds in WINDOW_MIN_S…WINDOW_MAX_S. */
function windowSeconds(raw: string): number {
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < WINDOW_MIN_S || v > WINDOW_MAX_S) throw new InvalidArgumentError(`give seconds from ${WINDOW_MIN_S} to ${WINDOW_MAX_S}.`);
  return v;
}

function inputs(flags: FpFlags): FingerprintInputs {
  return { db: storePath(flags), device: flags.device ?? null, onStats: (f, st) => reportReadProblems('fingerprint', f, st) };
}

export async function fpTrain(specs: string[], flags: FpFlags): Promise<void> {
  if (!flags.out) throw new RleError('E_USAGE', 'give the model file with -o model.json');
  const sessions = await labelledSessions(specs, flags.window, inputs(flags));
  const { model, cv, windows } = await trainFingerprint(sessions, flags.window, { trees: flags.trees, seed: flags.seed }, flags.out);
  const acc = cv ? `; grouped ${cv.folds}-fold CV: window accuracy ${(cv.window_accuracy * 100).toFixed(1)} %, session accuracy ${(cv.session_accuracy * 100).toFixed(1)} %` : '';
  process.stderr.write(`rle fingerprint: ${plural(model.labels.length, 'label')}, ${plural(sessions.length, 'session')}, ${plural(windows, 'window')}, ${plural(model.features.length, 'feature')}${acc}; wrote ${flags.out}\n`);
}

export async function fpClassify(modelFile: string, input: string, flags: FpFlags): Promise<void> {
  const c = await classifyInput(readModel(modelFile), input, inputs(flags));
  if (flags.json) process.stdout.write(JSON.stringify(c, null, 2) + '\n');
  else {
    const probs = Object.entries(c.probabilities).sort((a, b) => b[1] - a[1]).map(([l, p]) => `${l} ${(p * 100).toFixed(0)}%`).join(', ');
    process.stdout.write(`${c.label} (${probs}; ${plural(c.windows, 'window')})\n`);
    if (c.imputed_features.length > 0) process.stderr.write(`rle fingerprint: note: this session lacks ${c.imputed_features.length} feature(s) the model uses (filled with training medians): ${c.imputed_features.slice(0, 6).join(', ')}${c.imputed_features.length > 6 ? ', …' : ''}\n`);
  }
}

export async function fpEvaluate(specs: string[], flags: FpFlags): Promise<void> {
  const sessions = await labelledSessions(specs, flags.window, inputs(flags));
  if (new Set(sessions.map((s) => s.label)).size < 2) throw new RleError('E_USAGE', 'evaluation needs sessions of at least two labels');
  const r = evaluate(sessions, flags.folds, flags.window, { trees: flags.trees, seed: flags.seed });
  if (flags.json) {
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    return;
  }
  let out = `grouped ${r.folds}-fold cross-validation over ${plural(r.sessions, 'session')} (${plural(r.windows, 'window')}; no session in training and test at once)\n`;
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
      .option('--window <s>', `window length, s (${WINDOW_MIN_S}–${WINDOW_MAX_S})`, windowSeconds, WINDOW_DEFAULT_S)
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
