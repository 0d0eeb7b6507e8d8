/**
 * `rle characterize`: the standard workloads in turn — idle, stress, the synthetic patterns
 * and (with --include train) the training workload — each a labelled, monitored session,
 * with a cool-down between them; then the thermal-personality table of the lot.
 */
import { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadStoredSession } from '../../replay/series.js';
import { RleError } from '../../errors.js';
import { compareMarkdown, compareRows, compareText, type CompareRow } from '../../report/compare.js';
import { nonNegative } from '../options.js';
import { addRecordingOptions } from '../../app/recorder.js';
import { openStore } from '../store-options.js';
import { train, type TrainFlags } from './train.js';
import { addWorkloadOptions, runWorkload, type WorkloadFlags } from './workload.js';
import type { Pattern } from '../../workload/patterns.js';

interface CharacterizeFlags extends WorkloadFlags {
  cooldown?: number;
  include: string[];
  md?: boolean;
}

const PHASES = [
  { kind: 'idle', pattern: 'constant', intensity: 0 },
  { kind: 'stress', pattern: 'constant', intensity: 1 },
  { kind: 'synthetic', pattern: 'constant', intensity: 0.5 },
  { kind: 'synthetic', pattern: 'ramp', intensity: 1 },
  { kind: 'synthetic', pattern: 'sine', intensity: 0.8 },
  { kind: 'synthetic', pattern: 'square', intensity: 0.8 },
] as const;

export async function characterize(flags: CharacterizeFlags): Promise<void> {
  if (flags.json && flags.md) throw new RleError('E_USAGE', '--json and --md are alternatives: give one');
  const unknown = flags.include.filter((x) => x !== 'train');
  if (unknown.length > 0) throw new RleError('E_OPTION', `--include ${unknown.join(',')}: only "train" can be included`);
  const log = (l: string): void => void process.stderr.write(l + '\n');
  const cooldown = flags.cooldown ?? Math.min(30, flags.duration / 2);
  const sessions: { id: string; label: string }[] = [];
  const phases = [...PHASES.map((p) => ({ ...p, train: false })), ...(flags.include.includes('train') ? [{ kind: 'train', pattern: 'constant', intensity: 0, train: true }] : [])];
  for (const [i, p] of phases.entries()) {
    if (i > 0 && cooldown > 0) {
      log(`rle characterize: cool-down ${cooldown} s`);
      await sleep(cooldown * 1000);
    }
    if (p.train) {
      log(`rle characterize: train (${flags.duration} s)`);
      const tf = { ...flags, preset: 'tiny', labels: 'targets', steps: 100000, batch: 4, seq: 128, lr: 5e-5, warmup: 5, weightDecay: 0, seed: 42, kernels: 'auto', monitor: true, report: false, duration: flags.duration, name: 'train', json: false, silent: true } as unknown as TrainFlags;
      const r = await train(tf);
      sessions.push({ id: r.session, label: 'train' });
      continue;
    }
    log(`rle characterize: ${p.kind}${p.kind === 'synthetic' ? ` ${p.pattern}` : ''} (${flags.duration} s)`);
    const r = await runWorkload(p.kind as 'idle' | 'stress' | 'synthetic', { ...flags, name: undefined, pattern: p.pattern as Pattern, intensity: p.intensity }, () => undefined);
    sessions.push({ id: r.session, label: r.label });
    if (r.status !== 'completed') break; // Ctrl-C: stop the sequence, report what ran
  }
  const store = openStore(flags);
  const rows: CompareRow[] = [];
  try {
    for (const s of sessions) rows.push(...compareRows(loadStoredSession(store, s.id), s.label));
  } finally {
    store.close();
  }
  process.stdout.write(flags.json ? JSON.stringify(rows, null, 2) + '\n' : flags.md ? compareMarkdown(rows) : compareText(rows));
}

export function characterizeCommand(): Command {
  const cmd = new Command('characterize')
    .description('run idle, stress, the synthetic patterns (and the training workload) in turn; print their thermal personality table')
    .option('--cooldown <s>', 'pause between workloads (default: half the duration, at most 30 s)', nonNegative)
    .option('--include <what>', 'also run: train', (v: string, prev: string[]) => [...prev, ...v.split(',')], [])
    .option('--json', 'print the table as an array of rows')
    .option('--md', 'print the table as Markdown');
  addWorkloadOptions(cmd, 60);
  addRecordingOptions(cmd);
  return cmd.action((flags: CharacterizeFlags) => characterize(flags));
}
