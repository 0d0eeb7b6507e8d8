/**
 * The dashboard before and after the first recording, and what its /metrics says of a device
 * without a temperature: the regression tests of "the dashboard refuses to open first" and
 * "E_th exported with no temperature at all" (#16).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Dashboard } from '../../src/serve/dashboard.js';
import { SessionStore } from '../../src/store/session-store.js';
import { CLI, tmpDir } from '../helpers.js';
import { liveStore, row } from './live-helpers.js';

const json = async (port: number, p: string): Promise<{ status: number; body: unknown }> => {
  const r = await fetch(`http://127.0.0.1:${port}${p}`);
  return { status: r.status, body: r.headers.get('content-type')?.startsWith('application/json') ? await r.json() : await r.text() };
};

describe('dashboard and its store', () => {
  it('starts on a store that does not exist yet, without creating it, and shows sessions once one is recorded', async () => {
    const db = path.join(tmpDir(), 'later', 'rle.db');
    const dash = await Dashboard.start({ db, listen: { host: '127.0.0.1', port: 0 }, token: undefined, maxStreams: 4, pollMs: 100 });
    try {
      const port = dash.address.port;
      assert.deepEqual((await json(port, '/api/sessions')).body, []);
      assert.equal((await json(port, '/')).status, 200);
      assert.equal((await json(port, '/metrics')).status, 200);
      const none = await json(port, '/api/sessions/20260101-000000-abcdef');
      assert.equal(none.status, 404);
      assert.match(String(none.body), /no sessions yet/);
      assert.equal(fs.existsSync(db), false, 'a reader does not create the store');
      // a recording in another process creates it
      const store = SessionStore.open(db);
      const id = store.createSession({ kind: 'monitor', name: 'first', startedAt: Date.now() / 1000, manifest: {} });
      store.append(id, [row(Date.now() / 1000, 0, 'cpu')]);
      const list = (await json(port, '/api/sessions')).body as { id: string; status: string }[];
      assert.deepEqual(list.map((s) => [s.id, s.status]), [[id, 'running']]);
      assert.equal((await json(port, `/api/sessions/${id}`)).status, 200);
      store.close();
    } finally {
      await dash.close();
    }
  });

  it('rle dashboard on a new store says where it waits, instead of failing', async () => {
    const db = path.join(tmpDir(), 'rle.db');
    const child = spawn(process.execPath, [CLI, 'dashboard', '--port', '0', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    for (let i = 0; i < 100 && !out.includes('\n'); i++) await new Promise((r) => setTimeout(r, 50));
    const code = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGINT');
    assert.match(out, /^rle dashboard: http:\/\/127\.0\.0\.1:\d+\/ \(store .*rle\.db: none yet, shown once `rle monitor` or `rle train` records a session;/);
    assert.equal(await code, 0);
    assert.equal(fs.existsSync(db), false);
  });

  it('exports no E_th for a device without a temperature reading (absent, not a fake 0.8–1.0)', async () => {
    const live = liveStore();
    const store = SessionStore.open(live.db);
    // the bare machine, running: a cpu with utilization only
    const id = store.createSession({ kind: 'monitor', name: 'bare live', startedAt: Date.now() / 1000, manifest: {} });
    const t = Date.now() / 1000;
    const bare = row(t, 0, 'cpu');
    store.append(id, [{ ...bare, sample: { ...bare.sample, temp_c: null, temp_src: null } }, row(t, 0, 'gpu0')]);
    const dash = await Dashboard.start({ db: live.db, listen: { host: '127.0.0.1', port: 0 }, token: undefined, maxStreams: 4, pollMs: 100 });
    try {
      const text = String((await json(dash.address.port, '/metrics')).body);
      const eth = text.split('\n').filter((l) => l.startsWith('rle_thermal_efficiency{') && l.includes(`session="${id}"`));
      assert.deepEqual(eth.map((l) => /device="(\w+)"/.exec(l)![1]), ['gpu0']);
      assert.match(text, /# HELP rle_thermal_efficiency .*absent for a sample without a temperature reading/);
      assert.ok(text.split('\n').some((l) => l.startsWith('rle_power_efficiency{') && l.includes('device="cpu"') && l.includes(`session="${id}"`)), 'the rest of the cpu is there');
    } finally {
      await dash.close();
      store.close();
      live.close();
    }
  });
});
