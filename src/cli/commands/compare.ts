/** `rle compare <session-id|csv>…`: the thermal-personality table across sessions. */
import { Command, InvalidArgumentError } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { loadCsvSession, loadStoredSession, type SessionData } from '../../replay/series.js';
import { RleError } from '../../errors.js';
import { compareMarkdown, compareRows, compareText, type CompareRow } from '../../report/compare.js';
import type { SessionStore } from '../../store/session-store.js';
import { addEngineOptions, engineOptionsFrom, type EngineFlags } from '../options.js';
import { addStoreOption, openStore, storePath, type StoreFlags } from '../store-options.js';

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
  const engine = engineOptionsFrom(flags);
  let store: SessionStore | null | undefined;
  const rows: CompareRow[] = [];
  try {
    for (const input of inputs) {
      let data: SessionData;
      if (fs.existsSync(input)) data = await loadCsvSession(input, engine);
      else {
        store ??= openStore(flags, { existing: true });
        if (!store) throw new RleError('E_INPUT_MISSING', `no such file, nor a session store at ${storePath(flags)}`, { file: input });
        data = loadStoredSession(store, input, engine); // names an unknown or ambiguous id
      }
      const label = flags.label[input] ?? flags.label[data.id] ?? data.info?.name ?? data.info?.kind ?? path.basename(input).replace(/\.csv(\.gz)?$/, '');
      rows.push(...compareRows(data, label));
    }
  } finally {
    store?.close();
  }
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
