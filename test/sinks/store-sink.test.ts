import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { StoreSink } from '../../src/sinks/store-sink.js';
import { SessionStore } from '../../src/store/session-store.js';
import { tmpDir } from '../helpers.js';
import { T0, tick } from './ticks.js';

describe('StoreSink', () => {
  it('commits ticks, collapse events and steps in batches at most 500 ms of session time apart, and finishes the session', async () => {
    const store = SessionStore.open(path.join(tmpDir(), 'rle.db'));
    const id = store.createSession({ kind: 'test', startedAt: T0, manifest: {} });
    let now = T0;
    const s = new StoreSink(store, id, () => now);
    const rows = (): number => [...store.rows(id)].length;
    s.write(tick(0)); // the first write commits (nothing committed yet)
    assert.equal(rows(), 1);
    const half = { ...tick(0), tick: { ...tick(0).tick, actualS: T0 + 0.2 } };
    s.write(half);
    assert.equal(rows(), 1, '0.2 s later: buffered');
    s.write(tick(1, { collapse: 1, events: [{ t: T0 + 1, device: 'cpu', type: 'collapse_start' }] }));
    assert.equal(rows(), 3, '1 s later: committed');
    s.step({ step: 1, t: T0 + 1.1, loss: 2, grad_norm: 1, learning_rate: 1e-4, tokens: 512, epoch: 0.1 });
    assert.equal(store.steps(id).length, 0, 'buffered');
    now = T0 + 2;
    await s.flush();
    assert.equal(store.steps(id).length, 1);
    assert.deepEqual(store.events(id).map((e) => e.type), ['collapse_start']);
    s.patchManifest({ probe: { ticks: 3 } });
    await s.close('completed');
    const info = store.get(id);
    assert.equal(info.status, 'completed');
    assert.equal(info.ended_at, T0 + 2);
    assert.deepEqual(info.manifest.probe, { ticks: 3 });
    store.close();
  });
  it('a failed commit still finishes the session (failed), so it never stays running', async () => {
    const store = SessionStore.open(path.join(tmpDir(), 'rle.db'));
    const id = store.createSession({ kind: 'test', startedAt: T0, manifest: {} });
    store.db.exec("CREATE TRIGGER full BEFORE INSERT ON samples BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;");
    const s = new StoreSink(store, id, () => T0 + 5);
    assert.throws(() => s.write(tick(0)), /cannot write to the session store: database or disk is full/);
    await s.close('failed'); // the failed batch is gone; the end is recorded
    assert.equal(store.get(id).status, 'failed');
    store.close();
  });
});
