import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ticker, type Tick } from '../../src/sampler/ticker.js';

describe('Ticker', () => {
  it('schedules tick k at t0 + k·period: no drift, whatever the timer latency', async () => {
    const ticks: Tick[] = [];
    const t = new Ticker({ periodMs: 20, maxTicks: 25, onTick: (x) => void ticks.push(x) });
    t.start();
    await t.done;
    assert.equal(ticks.length, 25);
    const t0 = ticks[0]!.scheduledS;
    ticks.forEach((x, k) => {
      assert.equal(x.k, k);
      assert.ok(Math.abs(x.scheduledS - (t0 + k * 0.02)) < 1e-6, `tick ${k} scheduled at +${x.scheduledS - t0}`);
      assert.ok(x.latenessMs >= 0 && x.actualS >= x.scheduledS - 1e-6);
    });
  });
  it('skips a tick rather than overlapping a slow one, and keeps going after errors', async () => {
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    const errors: unknown[] = [];
    const t = new Ticker({
      periodMs: 10,
      maxTicks: 12,
      onTick: async () => {
        calls++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 25));
        running--;
        if (calls === 2) throw new Error('sensor broke');
      },
      onError: (e) => errors.push(e),
    });
    t.start();
    await t.done;
    assert.equal(maxRunning, 1);
    assert.ok(t.skipped > 0, 'some ticks skipped');
    assert.equal(calls + t.skipped, 12);
    assert.equal(errors.length, 1);
  });
  it('stop() waits for the tick in flight', async () => {
    let finished = false;
    const t = new Ticker({
      periodMs: 5,
      onTick: async () => {
        await new Promise((r) => setTimeout(r, 30));
        finished = true;
      },
    });
    t.start();
    await new Promise((r) => setTimeout(r, 10));
    await t.stop();
    assert.equal(finished, true);
  });
  it('derives wall time from one anchor plus the monotonic clock', () => {
    let mono = 1000;
    const t = new Ticker({ periodMs: 1000, onTick: () => undefined, monotonicMs: () => mono, wallMs: () => 1_700_000_000_000 });
    t.start();
    mono += 2500;
    assert.equal(t.nowS(), 1_700_000_002.5);
    void t.stop();
  });
});
