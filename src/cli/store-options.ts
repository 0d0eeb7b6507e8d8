/** `--db PATH` for every command that uses the session store. */
import type { Command } from 'commander';
import fs from 'node:fs';
import { defaultDbPath, SessionStore } from '../store/session-store.js';

export interface StoreFlags {
  db?: string;
}

export function addStoreOption(cmd: Command): Command {
  return cmd.option('--db <path>', `session store (default ${defaultDbPath().replace(process.env.HOME ?? '\u0000', '~')}; $RLE_HOME/rle.db when set)`);
}

export function storePath(flags: StoreFlags): string {
  return flags.db ?? defaultDbPath();
}

/**
 * Opens (creating when needed) the store. Commands that only read pass `existing: true`: they
 * get null instead of creating an empty store as a side effect of a typo or a first run.
 */
export function openStore(flags: StoreFlags): SessionStore;
export function openStore(flags: StoreFlags, o: { existing: true }): SessionStore | null;
export function openStore(flags: StoreFlags, o: { existing?: boolean } = {}): SessionStore | null {
  const file = storePath(flags);
  if (o.existing && !fs.existsSync(file)) return null;
  return SessionStore.open(file);
}
