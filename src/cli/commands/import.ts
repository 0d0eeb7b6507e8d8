/** `rle import <file.csv>`: an earlier RLE session CSV into the store, metrics recomputed. */
import { Command } from 'commander';
import { readTrainingLog } from '../../ingest/training-log.js';
import { replaySession } from '../../replay/csv.js';
import { openInput } from '../../store/files.js';
import type { StoredRow } from '../../store/session-store.js';
import { addMapOptions, readMapOptions, type MapFlags } from '../map-options.js';
import { addEngineOptions, engineOptionsFrom, type EngineFlags } from '../options.js';
import { reportReadProblems } from '../session-input.js';
import { addStoreOption, openStore, type StoreFlags } from '../store-options.js';
import { packageVersion } from '../version.js';

interface ImportFlags extends EngineFlags, StoreFlags, MapFlags {
  name?: string;
  device?: string;
  training?: string;
}

export async function importSession(file: string, flags: ImportFlags): Promise<void> {
  // Read the training log first: a bad one should fail before anything is stored.
  const training = flags.training ? await readTrainingLog(flags.training) : null;
  const input = await openInput(file);
  const store = openStore(flags);
  const engine = engineOptionsFrom(flags);
  let id: string | null = null;
  let first: number | null = null;
  let last = 0;
  try {
    const result = await replaySession(input, { source: file, device: flags.device, ...readMapOptions(flags) }, engine, {
      onBatch: (rows, metrics) => {
        if (rows.length === 0) return;
        first ??= rows[0]!.t;
        id ??= store.createSession({
          kind: 'import',
          name: flags.name ?? file,
          startedAt: first,
          manifest: { tool: { name: 'rle', version: packageVersion() }, source: file, imported_at: new Date().toISOString(), engine },
        });
        const stored: StoredRow[] = rows.map((r, i) => {
          last = Math.max(last, r.t);
          const { power_used_w: _unused, ...metric } = metrics[i]!;
          return {
            sample: {
              device: r.device,
              t: r.t,
              scheduled_t: null,
              util_pct: r.util_pct,
              temp_c: r.temp_c,
              power_w: r.power_w,
              util_src: r.util_pct === null ? null : 'recorded',
              temp_src: r.temp_c === null ? null : 'recorded',
              power_src: r.power_w === null ? null : 'recorded',
            },
            metric,
          };
        });
        store.append(id, stored);
      },
    });
    if (id === null) {
      id = store.createSession({ kind: 'import', name: flags.name ?? file, startedAt: Date.now() / 1000, manifest: { source: file } });
    }
    const s = store.get(id);
    if (training) store.appendSteps(id, training.steps);
    store.updateManifest(id, {
      ...s.manifest,
      read: { rows: result.stats.rows, malformed: result.stats.malformed, bad_values: result.stats.badValues },
      ...(training ? { training_log: { file: flags.training, steps: training.steps.length, skipped_records: training.skipped } } : {}),
    });
    store.finish(id, 'completed', first === null ? s.started_at : last);
    reportReadProblems('import', file, result.stats);
    process.stdout.write(`${id}\n`);
  } catch (e) {
    if (id !== null) store.finish(id, 'failed', last);
    throw e;
  } finally {
    store.close();
  }
}

export function importCommand(): Command {
  const cmd = new Command('import')
    .description('store a session CSV (earlier RLE tools included), metrics recomputed; prints the new session id')
    .argument('<file>', 'session CSV, or - for standard input')
    .option('--name <name>', 'session name (default: the file name)')
    .option('--device <name>', 'device name for a CSV without a device column')
    .option('--training <log.json>', "the earlier tools' training log of the same run: its steps, on the same clock (timestamp_shared)");
  addMapOptions(cmd);
  addEngineOptions(cmd);
  addStoreOption(cmd);
  return cmd.action((file: string, flags: ImportFlags) => importSession(file, flags));
}
