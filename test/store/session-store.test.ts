import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { computeSession } from '../../src/core/engine.js';
import { RleError } from '../../src/errors.js';
import { SessionStore, defaultDbPath, type SampleRecord } from '../../src/store/session-store.js';
import { tmpDir } from '../helpers.js';

function sample(device: string, t: number, util: number): SampleRecord {
  return { device, t, scheduled_t: t, util_pct: util, temp_c: 50 + t / 10, power_w: null, util_src: 'measured', temp_src: 'measured', power_src: null, extra: { 'cpu.freq': 2400 } };
}

function rowsFor(samples: SampleRecord[]) {
  const metrics = computeSession(samples);
  return samples.map((s, i) => {
    const { power_used_w: _p, ...metric } = metrics[i]!;
    return { sample: s, metric };
  });
}

/** A pid that is certainly not running: a child that has already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid;
}

describe('SessionStore', () => {
  it('stores ticks, lists sessions with devices and counts, reads rows back in order', () => {
    const store = SessionStore.open(path.join(tmpDir(), 'a', 'rle.db'));
    const id = store.createSession({ kind: 'monitor', name: 'n', startedAt: 100, manifest: { x: 1 } });
    store.append(id, rowsFor([sample('cpu', 100, 10), sample('gpu0', 100, 20)]), [{ t: 100, device: 'cpu', type: 'marker', detail: 'hello' }]);
    store.append(id, rowsFor([sample('cpu', 101, 11)]));
    store.finish(id, 'completed', 101);
    const [l] = store.list();
    assert.deepEqual({ ...l }, { id, name: 'n', kind: 'monitor', status: 'completed', started_at: 100, ended_at: 101, samples: 3, devices: ['cpu', 'gpu0'] });
    const rows = [...store.rows(id)];
    assert.deepEqual(rows.map((r) => [r.sample.device, r.sample.t]), [['cpu', 100], ['gpu0', 100], ['cpu', 101]]);
    assert.deepEqual(rows[0]!.sample.extra, { 'cpu.freq': 2400 });
    assert.equal(rows[0]!.metric.power_source, 'estimated');
    assert.deepEqual(store.events(id), [{ t: 100, device: 'cpu', type: 'marker', detail: 'hello' }]);
    assert.equal(store.get(id.slice(0, 12)).id, id);
    store.close();
  });
  it('rejects unknown and ambiguous ids with E_SESSION', () => {
    const store = SessionStore.open(path.join(tmpDir(), 'rle.db'));
    store.createSession({ kind: 'k', startedAt: 0, manifest: {} });
    store.createSession({ kind: 'k', startedAt: 0, manifest: {} });
    assert.throws(() => store.get('nope'), (e: RleError) => e.code === 'E_SESSION' && /no stored session/.test(e.message));
    assert.throws(() => store.get('1970'), (e: RleError) => e.code === 'E_SESSION' && /ambiguous/.test(e.message));
    store.close();
  });
  it('marks a session left running by a dead process as interrupted, data intact', () => {
    const file = path.join(tmpDir(), 'rle.db');
    const a = SessionStore.open(file);
    const id = a.createSession({ kind: 'monitor', startedAt: 100, manifest: {} });
    a.append(id, rowsFor([sample('cpu', 100, 10), sample('cpu', 101, 10)]));
    a.db.prepare('UPDATE sessions SET pid = ? WHERE id = ?').run(deadPid(), id);
    const live = a.createSession({ kind: 'monitor', startedAt: 100, manifest: {} }); // this process: alive
    a.close();
    const b = SessionStore.open(file);
    assert.equal(b.get(id).status, 'interrupted');
    assert.equal(b.get(id).ended_at, 101);
    assert.equal([...b.rows(id)].length, 2);
    assert.equal(b.get(live).status, 'running');
    b.close();
  });
  it('uses $RLE_HOME, then XDG_DATA_HOME, then ~/.local/share', () => {
    assert.equal(defaultDbPath({ RLE_HOME: '/x' }), '/x/rle.db');
    assert.equal(defaultDbPath({ XDG_DATA_HOME: '/d' }), '/d/rle/rle.db');
    assert.match(defaultDbPath({}), /\.local\/share\/rle\/rle\.db$/);
  });
  it('fails with E_STORE on a path it cannot open', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'file'), 'not a folder');
    assert.throws(() => SessionStore.open(path.join(dir, 'file', 'rle.db')), (e: RleError) => e.code === 'E_STORE');
  });
});
