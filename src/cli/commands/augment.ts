/** `rle augment <in.csv|-> [-o out.csv]`: the session CSV with its metric columns recomputed. */
import { Command } from 'commander';
import type { Writable } from 'node:stream';
import { replaySession } from '../../replay/csv.js';
import { SessionCsvWriter } from '../../store/csv-writer.js';
import { AtomicOutput, openInput, writeChunk } from '../../store/files.js';
import { addMapOptions, readMapOptions, type MapFlags } from '../map-options.js';
import { addEngineOptions, engineOptionsFrom, type EngineFlags } from '../options.js';
import { reportReadProblems, reportUnusedKeys } from '../session-input.js';

interface AugmentFlags extends EngineFlags, MapFlags {
  output?: string;
  device?: string;
  extra: boolean;
}

export async function augment(input: string, flags: AugmentFlags): Promise<void> {
  const source = await openInput(input);
  const out = flags.output ? await AtomicOutput.open(flags.output) : null;
  const sink: Writable = out ? out.stream : process.stdout;
  try {
    let writer = new SessionCsvWriter();
    const result = await replaySession(
      source,
      { source: input, device: flags.device, ...readMapOptions(flags) },
      engineOptionsFrom(flags),
      {
        onHeader: (h) => {
          writer = new SessionCsvWriter(flags.extra ? h.extraColumns : []);
          return writeChunk(sink, writer.headerLine());
        },
        onBatch: (rows, metrics) => {
          let s = '';
          for (let i = 0; i < rows.length; i++) s += writer.line(rows[i]!, metrics[i]!);
          return writeChunk(sink, s);
        },
      },
    );
    if (out) await out.commit();
    reportReadProblems('augment', input, result.stats);
    reportUnusedKeys('augment', flags, result.engine);
  } catch (err) {
    await out?.abort();
    throw err;
  }
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
