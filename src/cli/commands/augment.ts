/** `rle augment <in.csv|-> [-o out.csv]`: the session CSV with its metric columns recomputed. */
import { Command } from 'commander';
import { augmentFile } from '../../app/augment.js';
import { addMapOptions, readMapOptions, type MapFlags } from '../map-options.js';
import { addEngineOptions, engineOptionsFrom, type EngineFlags } from '../options.js';
import { reportReadProblems, reportUnusedKeys } from '../session-input.js';

interface AugmentFlags extends EngineFlags, MapFlags {
  output?: string;
  device?: string;
  extra: boolean;
}

export async function augment(input: string, flags: AugmentFlags): Promise<void> {
  const r = await augmentFile(input, {
    output: flags.output ?? null,
    stdout: process.stdout,
    engine: engineOptionsFrom(flags),
    read: { device: flags.device, ...readMapOptions(flags) },
    extra: flags.extra,
  });
  reportReadProblems('augment', input, r.stats);
  reportUnusedKeys('augment', flags, r.engine);
}

export function augmentCommand(): Command {
  const cmd = new Command('augment')
    .description('recompute the RLE metric columns of a session CSV (spec columns, then power_source, then extra input columns)')
    .argument('<input>', 'session CSV, or - for standard input')
    .option('-o, --output <file>', 'write here (atomically) instead of standard output')
    .option('--device <name>', 'device name for a CSV without a device column')
    .option('--no-extra', 'drop the input columns that are not session columns');
  addMapOptions(cmd);
  addEngineOptions(cmd);
  return cmd.action((input: string, flags: AugmentFlags) => augment(input, flags));
}
