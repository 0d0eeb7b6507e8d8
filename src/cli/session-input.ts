/** The shared tail of commands that replay a session CSV: warnings about what was skipped. */
import type { SessionEngine } from '../core/engine.js';
import type { ReadStats } from '../store/csv-reader.js';
import { describeTally, warn } from './output.js';
import type { EngineFlags } from './options.js';

const CLASSES = new Set(['cpu', 'gpu', 'other']);

export function reportReadProblems(command: string, source: string, stats: ReadStats): void {
  if (stats.malformed.count > 0) {
    warn(command, `${source}: skipped ${describeTally(stats.malformed, 'malformed row')}: timestamp missing or not ISO 8601 (or, with --map, Unix seconds), or no device`);
  }
  if (stats.badValues.count > 0) {
    warn(command, `${source}: read ${describeTally(stats.badValues, 'non-numeric reading')} as missing`);
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
