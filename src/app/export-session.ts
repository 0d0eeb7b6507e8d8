/**
 * `rle export`: a stored session as the session CSV of the spec (metrics replayed from the
 * stored readings, every value with its provenance), or its training steps.
 */
import type { Writable } from 'node:stream';
import { RleError } from '../errors.js';
import { StoredReplay } from '../replay/stored.js';
import { SessionCsvWriter, formatNumber } from '../store/csv-writer.js';
import { AtomicOutput, streamWriter, type ChunkWriter } from '../store/files.js';
import type { SessionStore } from '../store/session-store.js';
import { formatTimestamp } from '../store/timestamp.js';
import { tidy } from '../report/format.js';
import { withStore } from './session-input.js';

/** Rows per write: large enough to amortise the write, small enough to keep memory flat. */
const ROWS_PER_CHUNK = 2000;

/** t_start (the step's own start, when known) and t_source (own, arrival, burst) come last: older readers keep their columns. */
export const STEP_COLUMNS = 'step,t,loss,grad_norm,learning_rate,epoch,tokens,t_start,t_source';

/** A session's training steps as CSV, times in ISO UTC, written in chunks (memory flat in the step count). */
async function writeSteps(store: SessionStore, sessionId: string, put: ChunkWriter): Promise<void> {
  let buf = `${STEP_COLUMNS}\n`;
  let n = 0;
  for (const x of store.steps(sessionId)) {
    const start = x.t_start === null || x.t_start === undefined ? '' : formatTimestamp(x.t_start);
    buf += `${x.step},${formatTimestamp(x.t)},${[x.loss, x.grad_norm, tidy(x.learning_rate), x.epoch, x.tokens].map(formatNumber).join(',')},${start},${x.t_source ?? ''}\n`;
    if (++n % ROWS_PER_CHUNK === 0) {
      await put(buf);
      buf = '';
    }
  }
  await put(buf);
}

async function writeSession(store: SessionStore, id: string, steps: boolean, put: ChunkWriter): Promise<void> {
  const session = store.get(id);
  if (steps) return writeSteps(store, session.id, put);
  const w = new SessionCsvWriter(store.extraKeys(session.id));
  let buf = w.headerLine();
  let n = 0;
  for (const { sample, metric } of new StoredReplay(store, session).next()) {
    buf += w.storedLine({ sample, metric });
    if (++n % ROWS_PER_CHUNK === 0) {
      await put(buf);
      buf = '';
    }
  }
  await put(buf);
}

/** Writes the session (or its steps) to `output` atomically, or to `stdout`. */
export async function exportSession(id: string, o: { db: string; output: string | null; steps: boolean; stdout: Writable }): Promise<void> {
  const out = o.output ? await AtomicOutput.open(o.output) : null;
  try {
    const put: ChunkWriter = out ? (s) => out.put(s) : streamWriter(o.stdout);
    const done = await withStore(o.db, (store) => writeSession(store, id, o.steps, put));
    if (done === null) throw new RleError('E_SESSION', `no stored session matching "${id}": there is no session store at ${o.db}`);
    await out?.commit();
  } catch (e) {
    await out?.abort();
    throw e;
  }
}
