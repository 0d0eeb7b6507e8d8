/** The shared tail of commands that replay a session CSV: warnings about what was skipped. */
import type { SessionEngine } from '../core/engine.js';
import { READING_RANGE, type ReadStats } from '../store/csv-reader.js';
import { describeTally, warn } from './output.js';
import type { EngineFlags } from './options.js';

const CLASSES = new Set(['cpu', 'gpu', 'other']);

export function reportReadProblems(command: string, source: string, stats: ReadStats): void {
  if (stats.rows > 0 && stats.malformed.count === stats.rows) {
    warn(command, `${source}: every one of its ${stats.rows} rows is malformed (lines ${stats.malformed.lines.join(', ')}${stats.rows > stats.malformed.lines.length ? ', …' : ''}): nothing was read; timestamp missing, not ISO 8601 (or, with --map, Unix seconds) or outside 2000–2100, or no device`);
  } else if (stats.malformed.count > 0) {
    warn(command, `${source}: skipped ${describeTally(stats.malformed, 'malformed row')}: timestamp missing, not ISO 8601 (or, with --map, Unix seconds) or outside 2000–2100, or no device`);
  } else if (stats.rows === 0) {
    warn(command, `${source}: no data rows (a header only)`);
  }
  if (stats.badValues.count > 0) {
    warn(command, `${source}: read ${describeTally(stats.badValues, 'non-numeric reading')} as missing`);
  }
  if (stats.impossible.count > 0) {
    const r = READING_RANGE;
    warn(command, `${source}: read ${describeTally(stats.impossible, 'impossible reading')} as missing (readings are temp_c ${r.temp_c[0]}…${r.temp_c[1]} °C, power_w ${r.power_w[0]}…${r.power_w[1]} W, util_pct ${r.util_pct[0]}…${r.util_pct[1]} %)`);
  }
  if (stats.backwards.count > 0) {
    warn(command, `${source}: time goes backwards at ${describeTally(stats.backwards, 'row')} (earlier than the previous row of the same device; kept in file order)`);
  }
}

/** A --rated/--limit key that names neither a class nor a device seen is probably a typo. */
export function reportUnusedKeys(command: string, flags: EngineFlags, engine: SessionEngine): void {
  const devices = new Set(engine.devices());
  for (const [flag, map] of [
    ['--rated', flags.rated],
    ['--limit', flags.limit],
  ] as const) {
    for (const key of Object.keys(map ?? {})) {
      if (!CLASSES.has(key) && !devices.has(key)) {
        warn(command, `${flag} key "${key}" matches no device in the session (devices: ${[...devices].join(', ') || 'none'})`);
      }
    }
  }
}
