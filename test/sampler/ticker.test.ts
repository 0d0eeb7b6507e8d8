import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ticker, type Tick } from '../../src/sampler/ticker.js';
import { FakeClock, settle } from '../fake-clock.js';
import { rng } from '../helpers.js';

describe('Ticker', () => {
  it('ticks at t0 + k·period however late its timers fire: actual times never drift', async () => {
    const u = rng(3);
    // Each timer fires 0–30 ms late (a loaded machine); the period is 100 ms.
    const clock = new FakeClock(1_700_000_000_000, () => 30 * u());
    const ticks: Tick[] = [];
    const t = new Ticker({ periodMs: 100, maxTicks: 200, clock, onTick: (x) => void ticks.push(x) });
    t.start();
    await clock.runUntil(() => ticks.length === 200, 30_000, 10);
    await t.done;
    assert.equal(ticks.length, 200);
    const t0 = ticks[0]!.scheduledS;
    ticks.forEach((x, k) => {
      assert.equal(x.k, k);
      assert.ok(Math.abs(x.scheduledS - (t0 + k * 0.1)) < 1e-9, `tick ${k} scheduled at +${x.scheduledS - t0}`);
      // The actual time is within one timer latency of the schedule, at tick 199 as at tick 0.
      assert.ok(x.latenessMs >= 0 && x.latenessMs <= 31, `tick ${k} ${x.latenessMs} ms late`);
      assert.ok(Math.abs(x.actualS - (t0 + k * 0.1)) <= 0.031 + 1e-9, `tick ${k} at +${x.actualS - t0} s`);
    });
    assert.equal(t.skipped, 0);
  });
  it('skips a tick rather than overlapping a slow one, and keeps going after errors', async () => {
    const clock = new FakeClock();
    let running = 0, maxRunning = 0, calls = 0;
    const errors: unknown[] = [];
    const t = new Ticker({
      periodMs: 10,
      maxTicks: 12,
      clock,
      onTick: async () => {
        calls++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise<void>((r) => clock.setTimer(r, 25)); // a read slower than the period
        running--;
        if (calls === 2) throw new Error('sensor broke');
      },
      onError: (e) => errors.push(e),
    });
    t.start();
    let finished = false;
    void t.done.then(() => (finished = true));
    await clock.runUntil(() => finished, 10_000);
    assert.equal(maxRunning, 1);
    assert.ok(t.skipped > 0, 'some ticks skipped');
    assert.equal(calls + t.skipped, 12);
    assert.equal(errors.length, 1);
  });
  it('stop() waits for the tick in flight', async () => {
    const clock = new FakeClock();
    let started = false, finished = false;
    const t = new Ticker({
      periodMs: 5,
      clock,
      onTick: async () => {
        started = true;
        await new Promise<void>((r) => clock.setTimer(r, 30));
        finished = true;
      },
    });
    t.start();
    await clock.runUntil(() => started, 100);
    let stopped = false;
    void t.stop().then(() => (stopped = true));
    await settle();
    assert.equal(stopped, false, 'not before the tick ends');
    await clock.advance(30);
    assert.equal(finished, true);
    assert.equal(stopped, true);
  });
  it('derives wall time from one anchor plus the monotonic clock', async () => {
    const clock = new FakeClock(1_700_000_000_000);
    await clock.advance(1000);
    const t = new Ticker({ periodMs: 1000, onTick: () => undefined, clock });
    t.start();
    await clock.advance(2500);
    assert.equal(t.nowS(), 1_700_000_003.5); // the anchor (wall 1.7e12 + 1 s at start) plus 2.5 s of monotonic time
    await t.stop();
  });
  it('on the real clock, 20 ticks of 20 ms keep to their schedule (smoke test)', async () => {
    const ticks: Tick[] = [];
    const t = new Ticker({ periodMs: 20, maxTicks: 20, onTick: (x) => void ticks.push(x) });
    t.start();
    await t.done;
    assert.equal(ticks.length + t.skipped, 20);
    for (const x of ticks) assert.ok(x.actualS >= x.scheduledS - 1e-6, 'never early');
  });
});
