import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionStore } from '../../src/store/session-store.js';
import { SessionFeed, sessionList, spikeSteps } from '../../src/serve/dashboard-data.js';
import { liveStore } from './live-helpers.js';

describe('dashboard data', () => {
  it('a feed sends each stored row once, as columns per device, with steps and events since the last delta', () => {
    const live = liveStore();
    const s = SessionStore.open(live.db);
    const feed = new SessionFeed(s, live.running);
    const a = feed.delta();
    assert.equal(a.devices.cpu!.t.length, 5);
    assert.equal(a.steps.step.length, 5);
    assert.equal(a.devices.cpu!.power_w.every((p) => p === null), true, 'cpu power was not a reading');
    assert.ok(a.devices.cpu!.power_estimated_w.every((p) => p !== null && p > 0), 'the estimate the metric used is shown apart');
    const none = feed.delta();
    assert.deepEqual([Object.keys(none.devices).length, none.steps.step.length, none.events.length], [0, 0, 0]);
    live.append(3);
    s.append(live.running, [], [{ t: Date.now() / 1000 + 10, device: 'cpu', type: 'collapse_start' }]);
    const b = feed.delta();
    assert.equal(b.devices.cpu!.t.length, 3);
    assert.deepEqual(b.steps.step, [6, 7, 8]);
    assert.deepEqual(b.events.map((e) => e.type), ['collapse_start']);
    assert.ok(b.last_id > a.last_id);
    // a view that already has rows up to last_id gets only newer ones, metrics still replayed from the start
    const resumed = new SessionFeed(s, live.running, a.last_id, 5).delta();
    assert.deepEqual(resumed.devices.cpu!.rle_smoothed, b.devices.cpu!.rle_smoothed);
    s.close();
    live.close();
  });
  it('lists sessions with a collapse rate only where there are samples; finds the spike steps', () => {
    const live = liveStore();
    const s = SessionStore.open(live.db);
    const list = sessionList(s);
    assert.deepEqual(list.map((x) => x.name), ['finished run', 'live run']);
    assert.deepEqual(spikeSteps(s, live.finished), [31]);
    s.close();
    live.close();
  });
});
