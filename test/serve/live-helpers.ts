/** A store with a stored (finished) session and a running one the test appends to, like a monitor in another process would. */
import path from 'node:path';
import { SessionStore, type StoredRow } from '../../src/store/session-store.js';
import { tmpDir } from '../helpers.js';

export interface LiveStore {
  db: string;
  finished: string;
  running: string;
  /** Appends `n` samples (one per device) and a training step to the running session. */
  append(n?: number): void;
  stop(): void;
  close(): void;
}

function row(t: number, i: number, device: string): StoredRow {
  const u = 50 + 40 * Math.sin(i / 5);
  return {
    sample: { device, t, scheduled_t: t, util_pct: u, temp_c: i % 17 === 5 ? null : 50 + u / 10, power_w: device === 'gpu0' ? 100 + u : null, util_src: 'measured', temp_src: 'measured', power_src: device === 'gpu0' ? 'measured' : null },
    metric: { rle_smoothed: 0.5 + 0.3 * Math.cos(i / 7), rle_raw: 0.5, rle_norm: 0.8, E_th: 0.6, E_pw: 0.7, a_load: u / 100, t_sustain_s: 600, rolling_peak: 0.9, collapse: i % 23 > 19 ? 1 : 0, power_source: device === 'gpu0' ? 'measured' : 'estimated' },
  };
}

export function liveStore(): LiveStore {
  const db = path.join(tmpDir(), 'rle.db');
  const store = SessionStore.open(db);
  const t0 = Date.now() / 1000 - 120;
  const finished = store.createSession({ kind: 'monitor', name: 'finished run', startedAt: t0, manifest: {} });
  store.append(finished, Array.from({ length: 120 }, (_, i) => [row(t0 + i, i, 'cpu'), row(t0 + i, i, 'gpu0')]).flat());
  store.appendSteps(finished, Array.from({ length: 60 }, (_, i) => ({ step: i + 1, t: t0 + 2 * i + 0.5, loss: 5 - i / 20, grad_norm: i === 30 ? 20 : 2 + Math.sin(i), learning_rate: 1e-4, tokens: 512, epoch: null })));
  store.finish(finished, 'completed', t0 + 120);
  const running = store.createSession({ kind: 'train', name: 'live run', startedAt: Date.now() / 1000, manifest: {} });
  let i = 0;
  const append = (n = 1): void => {
    for (let k = 0; k < n; k++) {
      const t = Date.now() / 1000 + k * 1e-3;
      store.append(running, [row(t, i, 'cpu')]);
      store.appendSteps(running, [{ step: i + 1, t, loss: 4 - i / 100, grad_norm: 3 + Math.sin(i), learning_rate: 1e-4, tokens: 512, epoch: null }]);
      i++;
    }
  };
  append(5);
  return { db, finished, running, append, stop: () => store.finish(running, 'completed', Date.now() / 1000), close: () => store.close() };
}
