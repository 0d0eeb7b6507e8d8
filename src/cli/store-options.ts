/** `--db PATH` for every command that uses the session store. */
import type { Command } from 'commander';
import { defaultDbPath, SessionStore } from '../store/session-store.js';

export interface StoreFlags {
  db?: string;
}

export function addStoreOption(cmd: Command): Command {
  return cmd.option('--db <path>', `session store (default ${defaultDbPath().replace(process.env.HOME ?? '\u0000', '~')}; $RLE_HOME/rle.db when set)`);
}

export function openStore(flags: StoreFlags): SessionStore {
  return SessionStore.open(flags.db ?? defaultDbPath());
}
