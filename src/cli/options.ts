/**
 * Option parsers and the engine flags shared by every command that computes the metric.
 * Parsers throw commander's InvalidArgumentError, which names the option in its message.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { DETECTOR_DEFAULTS, type DetectorParams } from '../core/constants.js';
import type { EngineOptions } from '../core/device.js';

type Check = (v: number) => string | null;

function numberParser(check: Check, integer = false): (raw: string) => number {
  return (raw: string) => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v)) throw new InvalidArgumentError('not a number.');
    if (integer && !Number.isInteger(v)) throw new InvalidArgumentError('must be a whole number.');
    const why = check(v);
    if (why) throw new InvalidArgumentError(why);
    return v;
  };
}

export const positive = numberParser((v) => (v > 0 ? null : 'must be > 0.'));
export const nonNegative = numberParser((v) => (v >= 0 ? null : 'must be ≥ 0.'));
export const positiveInt = numberParser((v) => (v >= 1 ? null : 'must be ≥ 1.'), true);
export const nonNegativeInt = numberParser((v) => (v >= 0 ? null : 'must be ≥ 0.'), true);
export const unitFraction = numberParser((v) => (v > 0 && v <= 1 ? null : 'must be in (0, 1].'));
export const percent = numberParser((v) => (v >= 0 && v <= 100 ? null : 'must be within 0–100.'));
export const anyNumber = numberParser(() => null);
const atLeastOne = numberParser((v) => (v >= 1 ? null : 'must be ≥ 1.'));

/**
 * `cpu=125,gpu0=250`: keys are device names or classes; repeated flags merge, later wins.
 */
function deviceMapParser(value: (raw: string) => number) {
  return (raw: string, previous: Record<string, number> | undefined): Record<string, number> => {
    const out: Record<string, number> = { ...previous };
    for (const part of raw.split(',')) {
      const eq = part.indexOf('=');
      const key = eq < 0 ? '' : part.slice(0, eq).trim();
      if (key === '') throw new InvalidArgumentError(`"${part}" is not KEY=VALUE (e.g. cpu=125,gpu=200).`);
      try {
        out[key] = value(part.slice(eq + 1).trim());
      } catch (e) {
        throw new InvalidArgumentError(`${key}: ${(e as Error).message}`);
      }
    }
    return out;
  };
}

interface FlagSpec {
  readonly flag: string;
  readonly key: keyof DetectorParams;
  readonly parse: (raw: string) => number;
  readonly help: string;
}

/** One flag per detector parameter, so every default of the spec can be overridden. */
const DETECTOR_FLAGS: readonly FlagSpec[] = [
  { flag: '--window <n>', key: 'window', parse: positiveInt, help: 'samples in the stability and smoothing windows' },
  { flag: '--peak-decay <x>', key: 'peakDecay', parse: unitFraction, help: 'rolling-peak decay per sample' },
  { flag: '--drop-frac <x>', key: 'dropFrac', parse: unitFraction, help: 'a drop is rle_smoothed below this fraction of the peak' },
  { flag: '--hysteresis <n>', key: 'hysteresis', parse: positiveInt, help: 'consecutive gated drops before a collapse, samples' },
  { flag: '--util-gate <pct>', key: 'utilGatePct', parse: percent, help: 'load gate on utilization, %' },
  { flag: '--a-load-gate <x>', key: 'aLoadGate', parse: nonNegative, help: 'load gate on a_load (power / rated)' },
  { flag: '--power-evidence <x>', key: 'powerEvidence', parse: nonNegative, help: 'power evidence: a_load above this' },
  { flag: '--thermal-evidence <s>', key: 'thermalEvidenceS', parse: nonNegative, help: 'thermal evidence: t_sustain_s below this, seconds' },
  { flag: '--limit-margin <c>', key: 'limitMarginC', parse: nonNegative, help: 'thermal evidence: within this of the limit, °C' },
  { flag: '--heating <c>', key: 'heatingC', parse: nonNegative, help: 'heating: rise since the previous temperature above this, °C' },
  { flag: '--max-t-sustain <s>', key: 'maxTSustainS', parse: atLeastOne, help: 'cap of t_sustain_s, seconds' },
];

/** Commander turns `--peak-decay` into `peakDecay`. */
function attrOf(flag: string): string {
  return flag
    .replace(/^--/, '')
    .replace(/ .*$/, '')
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function addEngineOptions(cmd: Command): Command {
  cmd
    .option('--hz <hz>', 'nominal sampling rate, Hz (sets dt = 1/hz)', positive, 1)
    .option('--rated <map>', 'rated power, W, by device or class, e.g. cpu=125,gpu=200', deviceMapParser(positive))
    .option('--limit <map>', 'temperature limit, °C, by device or class, e.g. cpu=85,gpu=83', deviceMapParser(anyNumber));
  for (const f of DETECTOR_FLAGS) cmd.option(f.flag, `${f.help} (default ${DETECTOR_DEFAULTS[f.key]})`, f.parse);
  return cmd;
}

export interface EngineFlags {
  hz: number;
  rated?: Record<string, number>;
  limit?: Record<string, number>;
  [k: string]: unknown;
}

export function engineOptionsFrom(opts: EngineFlags): EngineOptions {
  const detector: Partial<Record<keyof DetectorParams, number>> = {};
  for (const f of DETECTOR_FLAGS) {
    const v = opts[attrOf(f.flag)];
    if (typeof v === 'number') detector[f.key] = v;
  }
  return { dtS: 1 / opts.hz, detector, rated: opts.rated, limit: opts.limit };
}
