import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionStore } from '../../src/store/session-store.js';
import { SessionFeed, SessionList, sessionList, spikeSteps } from '../../src/serve/dashboard-data.js';
import { gpuThrottled, liveStore } from './live-helpers.js';

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
    assert.deepEqual(resumed.devices.gpu0!.throttled, b.devices.gpu0!.throttled, 'the detector too');
    s.close();
    live.close();
  });

  it('gives each sample the throttle answer, and each device what it says about throttling', () => {
    const live = liveStore();
    const s = SessionStore.open(live.db);
    const d = new SessionFeed(s, live.finished).delta();
    const gpu = d.devices.gpu0!;
    assert.deepEqual(gpu.throttled, gpu.t.map((_, i) => (gpuThrottled(i) ? 1 : 0)));
    assert.deepEqual([...new Set(gpu.throttle_causes)], [null, 'thermal;power']);
    assert.equal(gpu.throttle_causes.findIndex((c) => c !== null), 20);
    assert.ok(d.devices.cpu!.throttled.every((x) => x === null), 'no evidence on the cpu: cannot tell, not "not throttled"');
    assert.match(d.info.gpu0!.throttle, /^throttling: THROTTLED .* thermal, power/);
    assert.equal(d.info.gpu0!.throttle_known, true);
    assert.match(d.info.cpu!.throttle, /^throttling: cannot tell \(no throttle evidence/);
    assert.equal(d.info.cpu!.throttle_known, false);
    s.close();
    live.close();
  });

  it('says what is not measured and why, with the notes rle analyze prints; E_th is null without a temperature', () => {
    const live = liveStore();
    const s = SessionStore.open(live.db);
    const bare = new SessionFeed(s, live.bare).delta();
    const m = bare.info.cpu!.missing;
    assert.equal(m.temp_c, 'not measured (no hwmon chips in /sys/class/hwmon; no thermal zones in /sys/class/thermal)');
    assert.equal(m.power_w, 'not measured (no RAPL zones in /sys/class/powercap)');
    assert.match(m.E_th!, /^not measured \(no temperature/);
    assert.equal(m.collapse, 'cannot be detected (no temperature)');
    assert.equal(m.util_pct, undefined);
    assert.ok(bare.devices.cpu!.E_th.every((x) => x === null), 'E_th of a cpu without temperature is not a thermal figure');
    assert.ok(bare.notes.some((n) => /cpu: no temperature reading; .* collapses cannot be detected/.test(n)), bare.notes.join('\n'));
    assert.ok(bare.notes.some((n) => /cpu: no power reading/.test(n)));
    const fin = new SessionFeed(s, live.finished).delta();
    assert.deepEqual(fin.info.cpu!.missing, { power_w: 'not measured (no power reading in this session)' }, 'no manifest: a plain reason');
    const cpu = fin.devices.cpu!;
    cpu.t.forEach((_, i) => assert.equal(cpu.E_th[i] === null, cpu.temp_c[i] === null, `sample ${i}`));
    s.close();
    live.close();
  });

  it('gives step durations from their own starts', () => {
    const live = liveStore();
    const s = SessionStore.open(live.db);
    const st = new SessionFeed(s, live.finished).delta().steps;
    assert.ok(st.step.length > 30);
    assert.deepEqual([...new Set(st.duration_s.map((x) => Math.round(x! * 1000) / 1000))].sort(), [2, 3], 'normal and throttled steps');
    // without t_start: the previous step's end, none for the first
    const run = new SessionFeed(s, live.running).delta().steps;
    assert.equal(run.duration_s[0], null);
    assert.ok(run.duration_s.slice(1).every((x) => x !== null && x >= 0 && x < 1));
    s.close();
    live.close();
  });

  it('sends a running session from its last live_window seconds only, then what is new', () => {
    const live = liveStore();
    const s = SessionStore.open(live.db);
    const t = Date.now() / 1000;
    s.append(live.running, [{ ...rowAt(t + 1000) }]);
    const feed = new SessionFeed(s, live.running, 0, -1, 600);
    const a = feed.delta();
    assert.deepEqual(a.devices.cpu!.t, [t + 1000], 'the older rows are out of the window');
    assert.equal(a.steps.step.length, 0, 'so are the older steps');
    assert.equal(a.info.cpu!.samples, 6, 'the window changes what is sent, not what is known');
    live.append(1);
    assert.equal(feed.delta().devices.cpu!.t.length, 1);
    // a finished session is sent whole
    assert.equal(new SessionFeed(s, live.finished, 0, -1, 10).delta().devices.cpu!.t.length, 120);
    s.close();
    live.close();
  });

  it('lists sessions with a collapse rate only where it could be detected; finds the spike steps', () => {
    const live = liveStore();
    const s = SessionStore.open(live.db);
    const list = sessionList(s);
    assert.deepEqual(list.map((x) => x.name), ['finished run', 'bare machine', 'live run']);
    const bare = list[1]!;
    assert.equal(bare.collapse_rate, null, 'no temperature: no collapse detection, not 0 %');
    assert.deepEqual(bare.collapse, [{ device: 'cpu', rate: null, why: 'no temperature' }]);
    const fin = list[0]!.collapse as { device: string; rate: number }[];
    assert.deepEqual(fin.map((x) => x.device), ['cpu', 'gpu0']);
    assert.ok(fin.every((x) => x.rate > 0 && x.rate < 1));
    assert.deepEqual(spikeSteps(s, live.finished), [31]);
    // kept up to date by reading only what is new
    const kept = new SessionList(s);
    const before = kept.rows().find((x) => x.id === live.running)!;
    live.append(2);
    const after = kept.rows().find((x) => x.id === live.running)!;
    assert.equal(after.samples, (before.samples as number) + 4);
    assert.deepEqual(kept.rows(), sessionList(s), 'the same as counting afresh');
    s.close();
    live.close();
  });
});

function rowAt(t: number) {
  return {
    sample: { device: 'cpu', t, scheduled_t: t, util_pct: 50, temp_c: 55, power_w: null, util_src: 'measured' as const, temp_src: 'measured' as const, power_src: null },
    metric: { rle_smoothed: 0.5, rle_raw: 0.5, rle_norm: 0.8, E_th: 0.6, E_pw: 0.7, a_load: 0.5, t_sustain_s: 600, rolling_peak: 0.9, collapse: 0 as const, power_source: 'estimated' as const },
  };
}
