/**
 * `--map` and `--scale`: read any CSV as a session (a heater's log, a data logger's export):
 * which column holds each session column, and factors for readings in other units.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { MAPPABLE_COLUMNS, SCALABLE_COLUMNS, type ReadOptions } from '../store/csv-reader.js';

export interface MapFlags {
  map?: Record<string, string>;
  scale?: Record<string, number>;
}

function pairs(raw: string, what: string): [string, string][] {
  return raw.split(',').map((p) => p.trim()).filter(Boolean).map((p) => {
    const eq = p.indexOf('=');
    if (eq <= 0 || eq === p.length - 1) throw new InvalidArgumentError(`expected ${what}, got "${p}".`);
    return [p.slice(0, eq).trim(), p.slice(eq + 1).trim()];
  });
}

function mapOption(raw: string, prev: Record<string, string> = {}): Record<string, string> {
  const out = { ...prev };
  for (const [col, src] of pairs(raw, 'column=source_column')) {
    if (!(MAPPABLE_COLUMNS as readonly string[]).includes(col)) throw new InvalidArgumentError(`unknown column "${col}"; one of ${MAPPABLE_COLUMNS.join(', ')}.`);
    out[col] = src;
  }
  return out;
}

function scaleOption(raw: string, prev: Record<string, number> = {}): Record<string, number> {
  const out = { ...prev };
  for (const [col, f] of pairs(raw, 'column=factor')) {
    if (!(SCALABLE_COLUMNS as readonly string[]).includes(col)) throw new InvalidArgumentError(`cannot scale "${col}"; one of ${SCALABLE_COLUMNS.join(', ')}.`);
    const v = Number(f);
    if (!Number.isFinite(v) || f === '') throw new InvalidArgumentError(`factor for ${col} must be a number, got "${f}".`);
    out[col] = v;
  }
  return out;
}

export function addMapOptions(cmd: Command): Command {
  return cmd
    .option('--map <col=src,…>', `read columns of another CSV as session columns (${MAPPABLE_COLUMNS.join(', ')}), e.g. timestamp=time,power_w=heater_w`, mapOption)
    .option('--scale <col=factor,…>', 'multiply a reading as it is read, e.g. util_pct=100 for a 0–1 duty', scaleOption);
}

export function readMapOptions(flags: MapFlags): Pick<ReadOptions, 'map' | 'scale'> {
  return { map: flags.map, scale: flags.scale };
}
