/**
 * Workload fingerprints: train a random forest on labelled sessions' window features, classify
 * a session with a model, and evaluate by grouped cross-validation. Sessions are session CSVs
 * or stored ids; features come from one device per session (the one asked for, else cpu, else
 * the device with the most samples).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RleError } from '../errors.js';
import { evaluate, type LabelledSession } from '../fingerprint/evaluate.js';
import { FEATURE_NAMES, MIN_WINDOW_SAMPLES, sessionWindowsAsync } from '../fingerprint/features.js';
import { classify, parseModel, trainModel, type FingerprintModel } from '../fingerprint/model.js';
import { PKG_ROOT } from '../package-root.js';
import type { DeviceSeries, SessionData } from '../replay/series.js';
import { fsErrorReason, writeFileAtomic } from '../store/files.js';
import { parseJsonText } from '../store/json-input.js';
import { packageVersion } from '../version.js';
import { loadSession, type InputOptions } from './session-input.js';

/** The model shipped with rle (trained on the built-in workloads; see its "about"). */
export const DEFAULT_MODEL = path.join(PKG_ROOT, 'models', 'fingerprint-default.json');

export interface FingerprintInputs {
  readonly db: string;
  readonly device: string | null;
  /** Told what reading a CSV skipped or doubted. */
  readonly onStats?: InputOptions['onStats'];
}

export function pickDevice(data: SessionData, want: string | null): DeviceSeries {
  if (want) {
    const d = data.devices.find((x) => x.device === want);
    if (!d) throw new RleError('E_OPTION', `--device ${want}: not in ${data.id} (devices: ${data.devices.map((x) => x.device).join(', ') || 'none'})`);
    return d;
  }
  const d = data.devices.find((x) => x.device === 'cpu') ?? [...data.devices].sort((a, b) => b.t.length - a.t.length)[0];
  if (!d) throw new RleError('E_INPUT_FORMAT', `${data.id}: no telemetry samples`);
  return d;
}

/** Why a session gives no window: the rule is samples per window (MIN_WINDOW_SAMPLES) as much as its length. */
function tooShort(data: SessionData, windowS: number): string {
  const d = data.devices[0];
  const n = d?.t.length ?? 0;
  const span = n > 1 ? d!.t[n - 1]! - d!.t[0]! : 0;
  return `no ${windowS} s window with at least ${MIN_WINDOW_SAMPLES} samples: the session has ${n} sample${n === 1 ? '' : 's'} over ${span.toFixed(1)} s (record longer or faster, or give a longer --window)`;
}

/** `label=session` specs → labelled sessions with their feature windows. */
export async function labelledSessions(specs: readonly string[], windowS: number, o: FingerprintInputs): Promise<LabelledSession[]> {
  const out: LabelledSession[] = [];
  for (const s of specs) {
    const eq = s.indexOf('=');
    if (eq <= 0 || eq === s.length - 1) throw new RleError('E_USAGE', `expected <label>=<session-id|csv>, got "${s}"`);
    const [label, input] = [s.slice(0, eq), s.slice(eq + 1)];
    const data = await loadSession(input, { db: o.db, onStats: o.onStats });
    const windows = (await sessionWindowsAsync(pickDevice(data, o.device), windowS)).map((w) => w.values);
    if (windows.length === 0) throw new RleError('E_INPUT_FORMAT', tooShort(data, windowS), { file: input });
    out.push({ label, id: data.id, windows });
  }
  return out;
}

/** A model file larger than this is not one of ours (the shipped model is 0.24 MB). */
const MAX_MODEL_BYTES = 64 << 20;

export function readModel(file: string): FingerprintModel {
  const where = file === 'default' ? DEFAULT_MODEL : file;
  let m: unknown;
  try {
    const st = fs.statSync(where);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (st.size > MAX_MODEL_BYTES) throw new RleError('E_INPUT_FORMAT', `not an rle fingerprint model: ${st.size} bytes, over the ${MAX_MODEL_BYTES}-byte limit`, { file: where });
    m = parseJsonText(fs.readFileSync(where, 'utf8'));
  } catch (e) {
    if (e instanceof RleError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new RleError(code ? 'E_INPUT_MISSING' : 'E_INPUT_FORMAT', code ? `cannot read the model: ${fsErrorReason(e)}` : `cannot read the model: not JSON: ${(e as Error).message}`, { file: where });
  }
  const r = parseModel(m);
  if ('problem' in r) throw new RleError('E_INPUT_FORMAT', `not an rle fingerprint model: ${r.problem}`, { file: where });
  return r.model;
}

export interface TrainedFingerprint {
  readonly model: FingerprintModel;
  readonly sessions: number;
  readonly windows: number;
  readonly cv: ReturnType<typeof evaluate> | null;
}

/** Trains a model (with grouped CV when there are enough sessions) and writes it atomically. */
export async function trainFingerprint(sessions: LabelledSession[], windowS: number, forest: { trees: number; seed: number }, out: string): Promise<TrainedFingerprint> {
  const cv = new Set(sessions.map((s) => s.label)).size >= 2 && sessions.length >= 3 ? evaluate(sessions, Math.min(5, sessions.length), windowS, forest) : null;
  const about = {
    trained_at: new Date().toISOString(),
    tool: `rle ${packageVersion()}`,
    host: { hostname: os.hostname(), cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? null },
    sessions: sessions.map((s) => ({ label: s.label, id: s.id, windows: s.windows.length })),
    grouped_cv: cv && { folds: cv.folds, window_accuracy: cv.window_accuracy, session_accuracy: cv.session_accuracy, confusion: cv.confusion },
  };
  const model = trainModel({ X: sessions.flatMap((s) => s.windows), labels: sessions.flatMap((s) => s.windows.map(() => s.label)) }, windowS, forest, about);
  // what the training sessions could not measure: the model cannot use it
  model.about.features_never_measured = FEATURE_NAMES.filter((f) => !model.features.includes(f));
  await writeFileAtomic(out, JSON.stringify(model) + '\n');
  return { model, sessions: sessions.length, windows: about.sessions.reduce((a, s) => a + s.windows, 0), cv };
}

/** One session classified by a model. */
export async function classifyInput(model: FingerprintModel, input: string, o: FingerprintInputs): Promise<ReturnType<typeof classify>> {
  const data = await loadSession(input, { db: o.db, onStats: o.onStats });
  const windows = (await sessionWindowsAsync(pickDevice(data, o.device), model.window_s)).map((w) => w.values);
  if (windows.length === 0) throw new RleError('E_INPUT_FORMAT', tooShort(data, model.window_s), { file: input });
  return classify(model, windows);
}
