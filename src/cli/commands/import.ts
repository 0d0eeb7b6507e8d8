/**
 * `rle import <file.csv|session-id>`: a session CSV (earlier RLE tools included) into the store,
 * metrics recomputed; with --steps, training steps from TensorBoard event files, an MLflow run
 * or JSON lines (the trainer's own wall-clock times) into it, or into a stored session.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { ImportInterrupted, importSession, importSteps } from '../../app/import-session.js';
import { resolveInput } from '../../app/session-input.js';
import { parseTagMap } from '../../ingest/tag-map.js';
import type { TagMap } from '../../ingest/types.js';
import { addMapOptions, readMapOptions, type MapFlags } from '../map-options.js';
import { addEngineOptions, engineOptionsFrom, type EngineFlags } from '../options.js';
import { warn } from '../output.js';
import { reportReadProblems } from '../session-input.js';
import { stoppable } from '../signals.js';
import { addStoreOption, storePath, type StoreFlags } from '../store-options.js';

interface ImportFlags extends EngineFlags, StoreFlags, MapFlags {
  name?: string;
  device?: string;
  training?: string;
  steps?: string;
  stepsFormat: 'auto' | 'tfevents' | 'mlflow' | 'jsonl';
  tagMap?: TagMap;
}

/** The CSV into a new session; null when Ctrl-C/SIGTERM interrupted it (no session is left). */
async function importCsv(file: string, flags: ImportFlags, db: string): Promise<string | null> {
  const stop = stoppable('import');
  let r;
  try {
    r = await importSession(file, { db, name: flags.name ?? null, engine: engineOptionsFrom(flags), read: { device: flags.device, ...readMapOptions(flags) }, training: flags.training ?? null, signal: stop.signal });
  } catch (e) {
    if (!(e instanceof ImportInterrupted)) throw e;
    stop.interrupted(e.message);
    return null;
  } finally {
    stop.done();
  }
  reportReadProblems('import', file, r.stats);
  const log = flags.training;
  if (log && r.training?.untimed) warn('import', `${log}: left out ${r.training.untimed} step(s) without "timestamp_shared" (they cannot be placed on the session's clock)`);
  if (log && r.training?.backwards) warn('import', `${log}: time goes backwards at ${r.training.backwards} step(s) (earlier than the step before; kept)`);
  return r.id;
}

export async function importFile(input: string, flags: ImportFlags): Promise<void> {
  const db = storePath(flags);
  const target = resolveInput(input, db);
  const id = 'stored' in target ? target.stored : await importCsv(target.file, flags, db);
  if (id === null) return;
  if (flags.steps) {
    const s = await importSteps(db, id, flags.steps, { format: flags.stepsFormat, tagMap: flags.tagMap });
    for (const w of s.warnings) warn('import', `${flags.steps}: ${w}`);
    if (s.outside > 0) warn('import', `${flags.steps}: ${s.outside} of ${s.steps} steps fall outside the session's telemetry (recorded at another time?); they cannot be aligned`);
    process.stderr.write(`rle import: ${s.steps} training steps from ${s.format} (${flags.steps}) into session ${id}, aligned by their own times\n`);
  }
  process.stdout.write(`${id}\n`);
}

function tagMap(raw: string): TagMap {
  try {
    return parseTagMap(raw);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

export function importCommand(): Command {
  const cmd = new Command('import')
    .description('store a session CSV (earlier RLE tools included), metrics recomputed, and/or training steps from TensorBoard, MLflow or JSON lines; prints the session id')
    .argument('<input>', 'session CSV (- for standard input), or a stored session id to add --steps to')
    .option('--name <name>', 'session name (default: the file name)')
    .option('--device <name>', 'device name for a CSV without a device column')
    .option('--training <log.json>', "the earlier tools' training log of the same run: its steps, on the same clock (timestamp_shared)")
    .option('--steps <path>', 'training steps of the same run: a TensorBoard event file or run folder, an MLflow run folder (mlruns/<exp>/<run>), or JSON lines with times')
    .addOption(new Option('--steps-format <f>', 'format of --steps').choices(['auto', 'tfevents', 'mlflow', 'jsonl']).default('auto'))
    .option('--tag-map <field=tag,…>', 'which TensorBoard tag or MLflow key holds each field (loss, grad_norm, learning_rate, epoch, tokens), e.g. loss=train/my_loss', tagMap);
  addMapOptions(cmd);
  addEngineOptions(cmd);
  addStoreOption(cmd);
  return cmd.action((input: string, flags: ImportFlags) => importFile(input, flags));
}
