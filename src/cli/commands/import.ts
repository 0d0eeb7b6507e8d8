/** `rle import <file.csv>`: a session CSV (earlier RLE tools included) into the store, metrics recomputed. */
import { Command } from 'commander';
import { ImportInterrupted, importSession } from '../../app/import-session.js';
import { addMapOptions, readMapOptions, type MapFlags } from '../map-options.js';
import { addEngineOptions, engineOptionsFrom, type EngineFlags } from '../options.js';
import { warn } from '../output.js';
import { reportReadProblems } from '../session-input.js';
import { onStopSignal } from '../signals.js';
import { addStoreOption, storePath, type StoreFlags } from '../store-options.js';

interface ImportFlags extends EngineFlags, StoreFlags, MapFlags {
  name?: string;
  device?: string;
  training?: string;
}

export async function importFile(file: string, flags: ImportFlags): Promise<void> {
  const stop = new AbortController();
  let signal: NodeJS.Signals | null = null;
  onStopSignal((sig) => {
    signal = sig;
    stop.abort();
  });
  let r;
  try {
    r = await importSession(file, {
      db: storePath(flags),
      name: flags.name ?? null,
      engine: engineOptionsFrom(flags),
      read: { device: flags.device, ...readMapOptions(flags) },
      training: flags.training ?? null,
      signal: stop.signal,
    });
  } catch (e) {
    if (!(e instanceof ImportInterrupted)) throw e;
    process.stderr.write(`rle import: ${signal}: ${e.message}\n`);
    process.exitCode = signal === 'SIGINT' ? 130 : 143;
    return;
  } finally {
    onStopSignal(null);
  }
  reportReadProblems('import', file, r.stats);
  const log = flags.training;
  if (log && r.training?.untimed) warn('import', `${log}: left out ${r.training.untimed} step(s) without "timestamp_shared" (they cannot be placed on the session's clock)`);
  if (log && r.training?.backwards) warn('import', `${log}: time goes backwards at ${r.training.backwards} step(s) (earlier than the step before; kept)`);
  process.stdout.write(`${r.id}\n`);
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
  return cmd.action((file: string, flags: ImportFlags) => importFile(file, flags));
}
