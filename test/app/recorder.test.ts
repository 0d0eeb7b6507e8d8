/**
 * The recorder on a fake machine and a fake clock (no real sleeping): one tick stream to the
 * store, summary, CSV and caller sinks; a sink that throws mid-session; a store that fails.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Recorder, type RecorderOptions } from '../../src/app/recorder.js';
import { SessionStore } from '../../src/store/session-store.js';
import { FakeClock } from '../fake-clock.js';
import { FakeMachine } from '../fake-machine.js';
import { tmpDir } from '../helpers.js';

function options(m: FakeMachine, clock: FakeClock, over: Partial<RecorderOptions> = {}): RecorderOptions & { lines: string[] } {
  const lines: string[] = [];
  return {
    kind: 'monitor',
    name: 'test',
    db: path.join(tmpDir(), 'rle.db'),
    manifest: {},
    sampling: { hz: 1, durationS: 10, devices: [], estimatePower: null, sensors: m.context(() => clock.monotonicMs()), disabledSources: [], engine: {}, clock },
    log: (l) => lines.push(l),
    lines,
    ...over,
  };
}

/** Starts a recorder on the fake clock (opening waits out the sensors' settle time while the machine idles on). */
async function start(o: RecorderOptions, clock: FakeClock, m: FakeMachine): Promise<Recorder> {
  let rec: Recorder | null = null;
  const p = Recorder.start(o).then((r) => (rec = r));
  for (let i = 0; i < 500 && rec === null; i++) {
    m.set({ util: 5, tempC: 45, powerW: 8, freqMHz: 1200, throttleEvents: 0 }, 0.01);
    await clock.advance(10);
  }
  return p;
}

/** Runs the recorder to its duration while the machine works at 60 % and warms up. */
async function runAll(rec: Recorder, m: FakeMachine, clock: FakeClock, seconds: number): Promise<void> {
  let done = false;
  const run = rec.run().then(() => (done = true));
  for (let s = 0; s < seconds + 2 && !done; s++) {
    m.set({ util: 60, tempC: 50 + s, powerW: 30, freqMHz: 2900, throttleEvents: 0 }, 1);
    await clock.advance(1000);
  }
  await run;
}

describe('Recorder', () => {
  it('records ten ticks on the session clock into the store, the CSV and a caller sink, and summarises them', async () => {
    const m = new FakeMachine();
    const clock = new FakeClock();
    const csv = path.join(tmpDir(), 's.csv');
    const o = options(m, clock, { csv });
    const rec = await start(o, clock, m);
    const seen: number[] = [];
    rec.addSink({ name: 'mine', write: (r) => void seen.push(r.tick.k), flush: () => Promise.resolve(), close: () => Promise.resolve() });
    await runAll(rec, m, clock, 10);
    const end = await rec.end('completed');
    assert.equal(end.status, 'completed');
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(end.summary.devices.cpu!.samples, 10);
    assert.ok(Math.abs(end.summary.devices.cpu!.util_pct_mean! - 60) < 1, `util ${end.summary.devices.cpu!.util_pct_mean}`);
    assert.ok(Math.abs(end.summary.devices.cpu!.power_w.mean! - 30) < 0.5, 'RAPL power from energy deltas');
    assert.match(o.lines[0]!, /^session \d{8}-\d{6}-[0-9a-f]{6}$/);
    assert.match(o.lines[1]!, /^cpu: util measured \(.*stat\); temp measured/);
    const store = SessionStore.open(o.db);
    const info = store.get(rec.id);
    assert.equal(info.status, 'completed');
    assert.equal([...store.rows(rec.id)].length, 10);
    const t = [...store.rows(rec.id)].map((r) => r.sample.t - r.sample.scheduled_t!);
    assert.ok(t.every((d) => Math.abs(d) < 1e-6), 'fake clock: every tick on time');
    const probe = info.manifest.probe as { ticks: number; sources: { name: string; up: boolean }[] };
    assert.equal(probe.ticks, 10);
    assert.ok(probe.sources.every((s) => s.up), 'every source up');
    store.close();
    assert.equal(fs.readFileSync(csv, 'utf8').trim().split('\n').length, 11);
  });
  it('an optional sink that throws mid-session is reported once and dropped; the session completes', async () => {
    const m = new FakeMachine();
    const clock = new FakeClock();
    const o = options(m, clock);
    const rec = await start(o, clock, m);
    let writes = 0;
    rec.addSink({
      name: 'flaky',
      write: () => {
        if (++writes >= 4) throw new Error('EPIPE');
      },
      flush: () => Promise.resolve(),
      close: () => Promise.resolve(),
    });
    await runAll(rec, m, clock, 10);
    const end = await rec.end('completed');
    assert.equal(end.status, 'completed');
    assert.equal(end.summary.devices.cpu!.samples, 10);
    assert.equal(writes, 4);
    assert.deepEqual(o.lines.filter((l) => /flaky/.test(l)), ['warning: flaky output failed and was dropped (the session goes on): EPIPE']);
    const store = SessionStore.open(o.db);
    assert.deepEqual((store.get(rec.id).manifest.outputs as { dropped: unknown[] }).dropped, [{ sink: 'flaky', message: 'EPIPE' }]);
    store.close();
  });
  it('a store that fails mid-session ends it failed with a clear error, and leaves no CSV behind', async () => {
    const m = new FakeMachine();
    const clock = new FakeClock();
    const dir = tmpDir();
    const db = path.join(dir, 'rle.db');
    SessionStore.open(db).close();
    // The store fails as a full disk does, once 3 samples are in (a trigger: SQLite itself refuses).
    const raw = SessionStore.open(db);
    raw.db.exec("CREATE TRIGGER full BEFORE INSERT ON samples WHEN (SELECT COUNT(*) FROM samples) >= 3 BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;");
    raw.close();
    const csv = path.join(dir, 's.csv');
    const o = options(m, clock, { db, csv, sampling: { ...options(m, clock).sampling!, durationS: 30 } });
    const rec = await start(o, clock, m);
    await runAll(rec, m, clock, 30);
    await assert.rejects(rec.end('completed'), /session \S+ failed: the session store could not be written \(cannot write to the session store: database or disk is full\)/);
    assert.equal(o.lines.filter((l) => /^error: store failed/.test(l)).length, 1, 'said once');
    const store = SessionStore.open(db);
    assert.equal(store.get(rec.id).status, 'failed');
    assert.equal([...store.rows(rec.id)].length, 3, 'what was committed stays');
    store.close();
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('csv')), [], 'no CSV, no temp file');
  });
  it('no device to monitor, or an output that cannot be opened, fails before any session exists', async () => {
    const m = new FakeMachine();
    const clock = new FakeClock();
    const o = options(m, clock, { sampling: { ...options(m, clock).sampling!, devices: ['gpu'] } });
    let err: unknown = null;
    const p = Recorder.start(o).catch((e: unknown) => (err = e));
    await clock.runUntil(() => err !== null, 5000, 10);
    await p;
    assert.match(String(err), /no device to monitor matching --devices gpu/);
    const o2 = options(m, clock, { db: o.db, csv: path.join(tmpDir(), 'no', 'such', 'dir', 's.csv') });
    err = null;
    const p2 = Recorder.start(o2).catch((e: unknown) => (err = e));
    await clock.runUntil(() => err !== null, 5000, 10);
    await p2;
    assert.match(String(err), /cannot write: folder .*: no such file/);
    assert.equal(fs.existsSync(o.db), false, 'no store, no session');
  });
});
