/** The thermal-personality table across sessions (files and stored ids alike). */
import path from 'node:path';
import { compareRows, type CompareRow } from '../report/compare.js';
import { loadSession, type InputOptions } from './session-input.js';

/**
 * One row per session and device. A session's label: `labels[arg]` or `labels[id]`, else its
 * name, else its kind, else the file's base name.
 */
export async function compareInputs(inputs: readonly string[], o: InputOptions & { labels: Readonly<Record<string, string>> }): Promise<CompareRow[]> {
  const rows: CompareRow[] = [];
  for (const input of inputs) {
    const data = await loadSession(input, o);
    const label = o.labels[input] ?? o.labels[data.id] ?? data.info?.name ?? data.info?.kind ?? path.basename(input).replace(/\.csv(\.gz)?$/, '');
    rows.push(...compareRows(data, label));
  }
  return rows;
}
