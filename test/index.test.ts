/** The library API as an ML user embedding rle in Node training code would call it (plain-JS mistakes included). */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as rle from '../src/index.js';
import { FakeMachine } from './fake-machine.js';
import { tmpDir } from './helpers.js';

describe('library API', () => {
  it('records a session around a training loop: start, run in the background, push steps, end; then read it back', async () => {
    const m = new FakeMachine();
    const db = path.join(tmpDir(), 'rle.db');
    const drive = setInterval(() => m.set({ util: 70, tempC: 60, powerW: 30, freqMHz: 2500, throttleEvents: 0 }, 0.05), 50);
    const rec = await rle.startRecording({ hz: 10, durationS: 0.6, db, nvidiaSmi: null, sysfsRoot: m.sys, procfsRoot: m.proc });
    const run = rec.run();
    for (let i = 1; i <= 3; i++) await rec.step({ step: i, t: rec.nowS(), loss: 3 - i / 10, grad_norm: 1, learning_rate: 1e-3, tokens: 64, epoch: null });
    await run;
    const end = await rec.end('completed');
    clearInterval(drive);
    assert.equal(end.status, 'completed');
    assert.ok(end.summary.devices.cpu!.samples >= 5);
    const store = rle.SessionStore.open(db);
    const data = rle.loadStoredSession(store, rec.id);
    store.close();
    assert.equal(data.steps.length, 3);
    const summary = rle.buildReportSummary(data, { ...rle.COUPLING_DEFAULTS, draws: 50 });
    assert.equal(summary.session, rec.id);
    assert.ok(rle.parseMetricLine('{"step": 1, "loss": 2.5}'));
  });
  it('takes hz as the README names it and refuses what a plain-JS caller gets wrong', () => {
    const e = new rle.SessionEngine({ hz: 4 });
    e.push('gpu0', { util_pct: 50, temp_c: 60, power_w: 100 });
    assert.equal(e.paramsOf('gpu0')!.dtS, 0.25);
    assert.throws(() => new rle.SessionEngine({ hz: 0 }), /hz must be a number > 0, got 0/);
    assert.throws(() => new rle.SessionEngine({ hertz: 2 } as never), /unknown option "hertz"/);
    assert.throws(() => new rle.SessionEngine({ detector: { hysterisis: 3 } } as never), /unknown detector parameter "hysterisis"/);
    assert.throws(() => e.push('gpu0', { util_pct: '50' } as never), /util_pct must be a number or null, got string/);
    const empty = e.push('cpu', {} as never);
    assert.ok(Object.values(empty).every((v) => typeof v !== 'number' || Number.isFinite(v)), 'a sample with no readings is all missing, never NaN');
    assert.equal(empty.power_source, 'estimated');
  });
});
