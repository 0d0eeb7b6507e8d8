/** `rle analyze <in.csv|id> [--json]`: a per-device summary of a session, metric recomputed. */
import { Command } from 'commander';
import { summarizeInput } from '../../app/session-input.js';
import { renderSummary } from '../../report/text-summary.js';
import { addMapOptions, readMapOptions, type MapFlags } from '../map-options.js';
import { addEngineOptions, engineOptionsFrom, type EngineFlags } from '../options.js';
import { reportReadProblems, reportUnusedKeys } from '../session-input.js';
import { addStoreOption, storePath, type StoreFlags } from '../store-options.js';

interface AnalyzeFlags extends EngineFlags, StoreFlags, MapFlags {
  json?: boolean;
  device?: string;
}

export async function analyze(input: string, flags: AnalyzeFlags): Promise<void> {
  const r = await summarizeInput(input, { db: storePath(flags), engine: engineOptionsFrom(flags), read: { device: flags.device, ...readMapOptions(flags) } });
  if (r.stats) reportReadProblems('analyze', input, r.stats);
  reportUnusedKeys('analyze', flags, r.engine);
  if (flags.json) {
    for (const n of r.notes) process.stderr.write(`rle analyze: note: ${n}\n`);
    process.stdout.write(JSON.stringify(r.summary, null, 2) + '\n');
  } else process.stdout.write(renderSummary(r.summary, r.notes));
}

export function analyzeCommand(): Command {
  const cmd = new Command('analyze')
    .description('per-device summary of a session: gaps, collapses, rle_smoothed, E_th/E_pw, power, temperature')
    .argument('<input>', 'session CSV (- for standard input) or stored session id')
    .option('--json', 'print the summary as JSON on standard output')
    .option('--device <name>', 'device name for a CSV without a device column');
  addMapOptions(cmd);
  addEngineOptions(cmd);
  addStoreOption(cmd);
  return cmd.action((input: string, flags: AnalyzeFlags) => analyze(input, flags));
}
