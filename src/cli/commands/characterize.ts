/** `rle characterize`: the standard workloads in turn, then their thermal-personality table (src/app/characterize.ts). */
import { Command, Option } from 'commander';
import { characterize as run, phaseFile } from '../../app/characterize.js';
import { RleError } from '../../errors.js';
import { compareMarkdown, compareText } from '../../report/compare.js';
import { nonNegative } from '../options.js';
import { addRecordingOptions, recorderOptions, type RecordingFlags } from '../recording-options.js';
import { onStopSignal } from '../signals.js';
import { storePath } from '../store-options.js';
import { addLoadOptions } from '../workload-options.js';

interface CharacterizeFlags extends RecordingFlags {
  duration: number;
  threads: number;
  cooldown?: number;
  include: string[];
  md?: boolean;
}

export async function characterize(flags: CharacterizeFlags): Promise<void> {
  if (flags.json && flags.md) throw new RleError('E_USAGE', '--json and --md are alternatives: give one');
  const unknown = flags.include.filter((x) => x !== 'train');
  if (unknown.length > 0) throw new RleError('E_OPTION', `--include ${unknown.join(',')}: only "train" can be included`);
  const log = (l: string): void => void process.stderr.write(l + '\n');
  let stopped = false;
  onStopSignal(() => (stopped = true));
  let rows;
  try {
    rows = await run(
      {
        durationS: flags.duration,
        threads: flags.threads,
        cooldownS: flags.cooldown ?? Math.min(30, flags.duration / 2),
        includeTrain: flags.include.includes('train'),
        recorder: (label) => {
          const f = { ...flags, name: flags.name ? `${flags.name}-${label}` : label, csv: flags.csv ? phaseFile(flags.csv, label) : undefined };
          return recorderOptions(f, { kind: label === 'train' ? 'train' : 'workload', durationS: flags.duration, log: () => undefined, statusLine: false });
        },
        log,
        stopped: () => stopped,
      },
      storePath(flags),
    );
  } finally {
    onStopSignal(null);
  }
  process.stdout.write(flags.json ? JSON.stringify(rows, null, 2) + '\n' : flags.md ? compareMarkdown(rows) : compareText(rows));
}

export function characterizeCommand(): Command {
  const cmd = new Command('characterize')
    .description('run idle, stress, the synthetic patterns (and the training workload) in turn; print their thermal personality table')
    .option('--cooldown <s>', 'pause between workloads (default: half the duration, at most 30 s)', nonNegative)
    .addOption(new Option('--include <what>', 'also run: train').argParser((v: string, prev: string[]) => [...prev, ...v.split(',')]).default([], 'nothing more'))
    .option('--json', 'print the table as an array of rows')
    .option('--md', 'print the table as Markdown');
  addLoadOptions(cmd, 60);
  addRecordingOptions(cmd);
  return cmd.action((flags: CharacterizeFlags) => characterize(flags));
}
