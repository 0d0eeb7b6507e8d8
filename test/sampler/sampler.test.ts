/** The sampler on a fake machine whose files change in place, on a fake clock: no sleeping. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Sampler, type TickReport } from '../../src/sampler/sampler.js';
import type { SensorContext } from '../../src/sensors/types.js';
import { FakeClock } from '../fake-clock.js';
import { FakeMachine } from '../fake-machine.js';

/** @param wrap changes the sensor context (a reader that counts its reads) */
async function open(m: FakeMachine, clock: FakeClock, o: { hz?: number; durationS?: number; devices?: string[] } = {}, wrap = (c: SensorContext) => c): Promise<Sampler> {
  let s: Sampler | null = null;
  const sensors = wrap(m.context(() => clock.monotonicMs()));
  const p = Sampler.open({ hz: o.hz ?? 2, durationS: o.durationS ?? 5, devices: o.devices ?? [], estimatePower: null, sensors, disabledSources: [], engine: {}, clock }).then((x) => (s = x));
  for (let i = 0; i < 100 && !s; i++) {
    m.set({ util: 10, tempC: 45, powerW: 10, freqMHz: 1000, throttleEvents: 0 }, 0.01);
    await clock.advance(10);
  }
  return p;
}

describe('Sampler', () => {
  it('reads every tick what the machine did since the last one, through the engine', async () => {
    const m = new FakeMachine({ critC: 90 });
    const clock = new FakeClock();
    const s = await open(m, clock, { hz: 2, durationS: 5 });
    assert.deepEqual(s.capabilities.length, 1);
    assert.match(s.capabilities[0]!, /^cpu: util measured .*; temp measured .*; power measured/);
    const ticks: TickReport[] = [];
    let done = false;
    const run = s.run((r) => void ticks.push(r)).then(() => (done = true));
    for (let i = 0; i < 20 && !done; i++) {
      m.set({ util: 20 + 5 * i, tempC: 50 + i, powerW: 5 * (i + 1), freqMHz: 2000, throttleEvents: 0 }, 0.5);
      await clock.advance(500);
    }
    await run;
    await s.stop();
    assert.equal(ticks.length, 10, '5 s at 2 Hz');
    // tick k reads the state set just before it: util 20 + 5k %, temp 50 + k °C, power 5(k + 1) W
    ticks.forEach((r, k) => {
      const x = r.samples[0]!;
      assert.ok(Math.abs(x.util_pct! - (20 + 5 * k)) < 1, `tick ${k}: util ${x.util_pct}`);
      assert.equal(x.temp_c, 50 + k);
      assert.ok(Math.abs(x.power_w! - 5 * (k + 1)) < 1e-6, `tick ${k}: power ${x.power_w}`);
      assert.deepEqual([x.util_src, x.temp_src, x.power_src], ['measured', 'measured', 'measured']);
      assert.equal(r.metrics[0]!.power_source, 'measured');
      assert.equal(x.t, x.scheduled_t, 'on a fake clock every tick is on time');
    });
    const probe = s.probeRecord();
    assert.equal(probe.ticks, 10);
    assert.ok(probe.sources.some((x) => x.name === 'rapl' && x.up));
  });
  it('reads no source every tick whose readings no sample uses (meminfo), and every one that feeds a sample', async () => {
    const m = new FakeMachine({ critC: 90 });
    const clock = new FakeClock();
    const reads: string[] = [];
    const readFile = m.context(() => 0).readFile!;
    const s = await open(m, clock, { hz: 2, durationS: 5 }, (c) => ({ ...c, readFile: (p) => (reads.push(p), readFile(p)) }));
    const before = { mem: reads.filter((p) => p.endsWith('meminfo')).length, stat: reads.filter((p) => p.endsWith('/stat')).length };
    let done = false;
    const run = s.run(() => undefined).then(() => (done = true));
    for (let i = 0; i < 20 && !done; i++) {
      m.set({ util: 30, tempC: 50, powerW: 10, freqMHz: 2000, throttleEvents: 0 }, 0.5);
      await clock.advance(500);
    }
    await run;
    await s.stop();
    assert.equal(reads.filter((p) => p.endsWith('meminfo')).length - before.mem, 1, 'once (the first tick finds it unused), not 10 times');
    assert.equal(reads.filter((p) => p.endsWith('/stat')).length - before.stat, 10, '/proc/stat at every tick');
    assert.ok(s.manifest().sensors instanceof Array && (s.manifest().sensors as { id: string }[]).some((x) => x.id === 'mem.total'), 'still in the manifest');
  });
  it('turns collapse runs into start and end events, once each', async () => {
    const m = new FakeMachine({ critC: 80 });
    const clock = new FakeClock();
    const s = await open(m, clock, { hz: 1, durationS: 40 });
    const events: string[] = [];
    let done = false;
    const run = s.run((r) => void events.push(...r.events.map((e) => `${e.type}@${r.tick.k}`))).then(() => (done = true));
    // steady full load, then a heating, power-starved phase near the limit: RLE falls, a collapse
    for (let i = 0; i < 45 && !done; i++) {
      const hot = i >= 15 && i < 30;
      m.set({ util: hot ? 70 + (i % 3) * 10 : 100, tempC: hot ? 76 + (i - 15) * 0.2 : 60, powerW: hot ? 124 : 60, freqMHz: 2000, throttleEvents: 0 }, 1);
      await clock.advance(1000);
    }
    await run;
    await s.stop();
    const starts = events.filter((e) => e.startsWith('collapse_start'));
    const ends = events.filter((e) => e.startsWith('collapse_end'));
    assert.ok(starts.length >= 1, `events: ${events.join(', ')}`);
    assert.ok(ends.length === starts.length || ends.length === starts.length - 1);
  });
});
