/** `rle sessions [--json]`: the stored sessions. */
import { Command } from 'commander';
import { addStoreOption, openStore, storePath, type StoreFlags } from '../store-options.js';
import { formatTimestamp } from '../../store/timestamp.js';

export function sessions(flags: StoreFlags & { json?: boolean }): void {
  const store = openStore(flags, { existing: true });
  const list = store ? store.list() : [];
  store?.close();
  if (flags.json) {
    const out = list.map((s) => ({
      id: s.id,
      name: s.name,
      kind: s.kind,
      status: s.status,
      started_at: formatTimestamp(s.started_at),
      ended_at: s.ended_at === null ? null : formatTimestamp(s.ended_at),
      devices: s.devices,
      samples: s.samples,
    }));
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  if (list.length === 0) {
    process.stdout.write(`no sessions in ${storePath(flags)}\n`);
    return;
  }
  for (const s of list) {
    const dur = s.ended_at === null ? 'running' : `${Math.round(s.ended_at - s.started_at)} s`;
    const when = formatTimestamp(Math.round(s.started_at));
    process.stdout.write(`${s.id}  ${s.kind.padEnd(8)} ${s.status.padEnd(11)} ${when}  ${dur.padStart(8)}  ${String(s.samples).padStart(7)} samples  ${s.devices.join(',') || '-'}${s.name ? '  ' + s.name : ''}\n`);
  }
}

export function sessionsCommand(): Command {
  const cmd = new Command('sessions').description('list stored sessions').option('--json', 'print as JSON');
  addStoreOption(cmd);
  return cmd.action((flags: StoreFlags & { json?: boolean }) => sessions(flags));
}
