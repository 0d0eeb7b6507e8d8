/** Every file below a folder, recursively, with its path relative to it (`/`-separated), sorted. */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { RleError } from '../errors.js';
import { fsErrorReason } from '../store/files.js';

export async function filesBelow(dir: string): Promise<{ rel: string; path: string }[]> {
  const out: { rel: string; path: string }[] = [];
  const walk = async (d: string, prefix: string): Promise<void> => {
    let entries;
    try {
      entries = await fsp.readdir(d, { withFileTypes: true });
    } catch (e) {
      throw new RleError('E_INPUT_MISSING', `cannot read folder: ${fsErrorReason(e)}`, { file: d });
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p, `${prefix}${e.name}/`);
      else if (e.isFile()) out.push({ rel: prefix + e.name, path: p });
    }
  };
  await walk(dir, '');
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}
