/** `rle compare <session-id|csv>…`: the thermal-personality table across sessions. */
import { Command, InvalidArgumentError } from 'commander';
import { compareInputs } from '../../app/compare.js';
import { RleError } from '../../errors.js';
import { warn } from '../output.js';
import { compareMarkdown, compareText, compareWarnings } from '../../report/compare.js';
import { addEngineOptions, engineOptionsFrom, type EngineFlags } from '../options.js';
import { reportReadProblems } from '../session-input.js';
import { addStoreOption, storePath, type StoreFlags } from '../store-options.js';

interface CompareFlags extends StoreFlags, EngineFlags {
  json?: boolean;
  md?: boolean;
  label: Record<string, string>;
}

function labelOption(raw: string, prev: Record<string, string> = {}): Record<string, string> {
  const eq = raw.indexOf('=');
  if (eq <= 0 || eq === raw.length - 1) throw new InvalidArgumentError('expected id=name.');
  return { ...prev, [raw.slice(0, eq)]: raw.slice(eq + 1) };
}

export async function compare(inputs: string[], flags: CompareFlags): Promise<void> {
  if (flags.json && flags.md) throw new RleError('E_USAGE', '--json and --md are alternatives: give one');
  const rows = await compareInputs(inputs, { db: storePath(flags), engine: engineOptionsFrom(flags), labels: flags.label, onStats: (f, st) => reportReadProblems('compare', f, st) });
  for (const w of compareWarnings(rows)) warn('compare', w);
  process.stdout.write(flags.json ? JSON.stringify(rows, null, 2) + '\n' : flags.md ? compareMarkdown(rows) : compareText(rows));
}

export function compareCommand(): Command {
  const cmd = new Command('compare')
    .description('thermal personality table: one row per session and device (collapse rate, power, RLE, peak temperature)')
    .argument('<inputs...>', 'stored session ids (or prefixes) and/or session CSV files')
    .option('--json', 'print an array of row objects')
    .option('--md', 'print a Markdown table')
    .option('--label <id=name>', 'workload label of a session (repeatable; default: its name, else its kind)', labelOption, {});
  addEngineOptions(cmd);
  addStoreOption(cmd);
  return cmd.action((inputs: string[], flags: CompareFlags) => compare(inputs, flags));
}
