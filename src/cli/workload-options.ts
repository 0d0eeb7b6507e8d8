/** Flags shared by `rle workload` and `rle characterize`. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import os from 'node:os';
import { PATTERNS } from '../workload/patterns.js';
import { positive, positiveInt } from './options.js';

function unitInterval(raw: string): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0 || v > 1) throw new InvalidArgumentError('must be between 0 and 1.');
  return v;
}

/** --duration and --threads. */
export function addLoadOptions(cmd: Command, defaultDuration: number): Command {
  return cmd
    .option('--duration <s>', 'seconds (per workload)', positive, defaultDuration)
    .option('--threads <n>', 'cores to load (default: all)', positiveInt, Math.max(1, os.availableParallelism()));
}

/** --pattern, --intensity, --period (rle workload synthetic). */
export function addPatternOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--pattern <p>', 'synthetic: utilization pattern').choices([...PATTERNS]).default('constant'))
    .option('--intensity <x>', 'synthetic: level or peak, fraction of each core (0–1)', unitInterval, 0.5)
    .option('--period <s>', 'synthetic: period of sine and square (default duration / 4)', positive);
}
