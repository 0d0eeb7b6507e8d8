/**
 * A session's training steps read on their own thread, while the report thread replays the
 * session's samples through the engine: half a million rows from SQLite (~1.5 s) off the
 * report's path. Sent back as columns, transferred (step-columns.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SessionStore } from '../store/session-store.js';
import { columnBuffers, toColumns, type StepColumns } from '../store/step-columns.js';

export type StepsMessage = { type: 'done'; columns: StepColumns } | { type: 'error'; message: string };

try {
  const { db, id } = workerData as { db: string; id: string };
  const store = SessionStore.open(db);
  let columns: StepColumns;
  try {
    columns = toColumns(store.steps(id));
  } finally {
    store.close();
  }
  parentPort!.postMessage({ type: 'done', columns } satisfies StepsMessage, columnBuffers(columns));
} catch (e) {
  parentPort!.postMessage({ type: 'error', message: (e as Error).stack ?? String(e) } satisfies StepsMessage);
}
