/** `rle export <id> [-o file.csv]`: a stored session as the session CSV of the spec. */
import { Command } from 'commander';
import type { Writable } from 'node:stream';
import { SessionCsvWriter, formatNumber } from '../../store/csv-writer.js';
import { AtomicOutput, writeChunk } from '../../store/files.js';
import type { SessionStore } from '../../store/session-store.js';
import { formatTimestamp } from '../../store/timestamp.js';
import { addStoreOption, openStore, storePath, type StoreFlags } from '../store-options.js';
import { RleError } from '../../errors.js';

/** Rows per write: large enough to amortise the write, small enough to keep memory flat. */
const ROWS_PER_CHUNK = 2000;

/** `step,t,loss,grad_norm,learning_rate,epoch,tokens`: a session's training steps, t in ISO UTC. */
function stepsCsv(store: SessionStore, sessionId: string): string {
  let s = 'step,t,loss,grad_norm,learning_rate,epoch,tokens\n';
  for (const x of store.steps(sessionId)) {
    s += `${x.step},${formatTimestamp(x.t)},${[x.loss, x.grad_norm, x.learning_rate, x.epoch, x.tokens].map(formatNumber).join(',')}\n`;
  }
  return s;
}

interface ExportFlags extends StoreFlags {
  output?: string;
  steps?: boolean;
}

export async function exportSession(id: string, flags: ExportFlags): Promise<void> {
  const store = openStore(flags, { existing: true });
  if (!store) throw new RleError('E_SESSION', `no stored session matching "${id}": there is no session store at ${storePath(flags)}`);
  const out = flags.output ? await AtomicOutput.open(flags.output) : null;
  const sink: Writable = out ? out.stream : process.stdout;
  try {
    const session = store.get(id);
    if (flags.steps) {
      await writeChunk(sink, stepsCsv(store, session.id));
      await out?.commit();
      return;
    }
    const w = new SessionCsvWriter(store.extraKeys(session.id));
    let buf = w.headerLine();
    let n = 0;
    for (const row of store.rows(session.id)) {
      buf += w.storedLine(row);
      if (++n % ROWS_PER_CHUNK === 0) {
        await writeChunk(sink, buf);
        buf = '';
      }
    }
    await writeChunk(sink, buf);
    await out?.commit();
  } catch (e) {
    await out?.abort();
    throw e;
  } finally {
    store.close();
  }
}

export function exportCommand(): Command {
  const cmd = new Command('export')
    .description('write a stored session as a session CSV (spec columns, power_source, then the other readings by id)')
    .argument('<session>', 'session id (or a unique prefix)')
    .option('-o, --output <file>', 'write here (atomically) instead of standard output')
    .option('--steps', 'the training steps instead: step, t (ISO UTC), loss, grad_norm, learning_rate, epoch, tokens');
  addStoreOption(cmd);
  return cmd.action((id: string, flags: ExportFlags) => exportSession(id, flags));
}
