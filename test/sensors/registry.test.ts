/** The sensor set: health that tells the truth, and file handles owned by their set. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SensorSet, primaries } from '../../src/sensors/registry.js';
import { FakeMachine } from '../fake-machine.js';

describe('SensorSet', () => {
  it('a source whose file starts failing (EIO) is down with its last error; absent hardware stays up', async () => {
    const m = new FakeMachine({ rapl: false });
    const ctx = m.context(() => 0);
    let broken = false;
    const readFile = (p: string): Promise<string> => {
      if (broken && p.endsWith('temp1_input')) return Promise.reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
      return Promise.resolve(fs.readFileSync(p, 'utf8'));
    };
    const set = await SensorSet.open({ ...ctx, readFile });
    const up = await set.read(1000);
    assert.ok(up.health.every((h) => h.up), JSON.stringify(up.health));
    broken = true;
    const down = await set.read(1000);
    const hwmon = down.health.find((h) => h.name === 'hwmon')!;
    assert.equal(hwmon.up, false);
    assert.match(hwmon.error!, /^cpu\.temp: reading .*temp1_input: EIO/);
    assert.equal(down.health.find((h) => h.name === 'rapl')!.up, true, 'no RAPL here is not a failure');
    const rec = set.health().find((s) => s.name === 'hwmon')!;
    assert.deepEqual([rec.up, rec.failures], [false, 1]);
    broken = false;
    await set.read(1000);
    const again = set.health().find((s) => s.name === 'hwmon')!;
    assert.deepEqual([again.up, again.failures], [true, 1], 'up again; the failure is remembered');
    assert.match(again.last_error!, /EIO/);
    await set.close();
  });
  it('each set owns its kept-open files: closing one leaves the other reading', async () => {
    const m = new FakeMachine();
    const ctx = { ...m.context(() => 0), readFile: undefined };
    const a = await SensorSet.open(ctx);
    const b = await SensorSet.open(ctx);
    await a.read(1000);
    await b.read(1000);
    await a.close();
    m.set({ util: 50, tempC: 61, powerW: 20, freqMHz: 2500, throttleEvents: 0 }, 1);
    const r = await b.read(1000);
    const cpu = primaries(r.readings).get('cpu')!;
    assert.equal(cpu.temp!.value, 61);
    assert.ok(Math.abs(cpu.util!.value! - 50) < 1);
    await b.close();
  });
  it('a source that times out is down, the others still deliver', async () => {
    const m = new FakeMachine();
    const readFile = (p: string): Promise<string> => (p.includes('hwmon') && p.endsWith('_input') ? new Promise(() => undefined) : Promise.resolve(fs.readFileSync(p, 'utf8')));
    const keepAlive = setInterval(() => undefined, 1000); // the set's own deadline timer does not hold the process
    const set = await SensorSet.open({ ...m.context(() => 0), readFile });
    const r = await set.read(50);
    clearInterval(keepAlive);
    assert.match(r.health.find((h) => h.name === 'hwmon')!.error!, /timed out after 50 ms/);
    assert.ok(r.readings.some((x) => x.id === 'cpu.util'));
    await set.close();
    assert.ok(path.isAbsolute(m.root));
  });
});

describe('SensorSet: work for nobody', () => {
  const LOAD = { util: 50, tempC: 60, powerW: 20, freqMHz: 2500, throttleEvents: 0 };
  /** Counts the set's reads of each file. */
  function counted(): { readFile: (p: string) => Promise<string>; reads: (suffix: string) => number } {
    const seen: string[] = [];
    return {
      readFile: (p) => {
        seen.push(p);
        return Promise.resolve(fs.readFileSync(p, 'utf8'));
      },
      reads: (suffix) => seen.filter((p) => p.endsWith(suffix)).length,
    };
  }

  it('a source whose readings nobody uses (meminfo) is read every 30 s, not every tick; its readings and health stay', async () => {
    const m = new FakeMachine();
    let now = 0;
    const c = counted();
    const set = await SensorSet.open({ ...m.context(() => now), readFile: c.readFile }, ['nvidia-smi']);
    set.useOnly((r) => r.device === 'cpu');
    let last = await set.read(1000);
    const before = c.reads('meminfo');
    for (let i = 0; i < 20; i++) {
      now += 100;
      m.set(LOAD, 0.1);
      last = await set.read(1000);
    }
    assert.equal(c.reads('meminfo'), before, 'not read while parked');
    assert.ok(c.reads('/stat') >= 20, 'the used source is read every tick');
    assert.equal(last.readings.find((r) => r.id === 'mem.total')?.status, 'ok', 'its last readings are still reported');
    assert.equal(last.health.find((h) => h.name === 'meminfo')?.up, true);
    now += 30_000;
    await set.read(1000);
    assert.equal(c.reads('meminfo'), before + 1, 'rechecked after 30 s');
    await set.close();
  });

  it('a failing source is never parked, nor one that starts a device (a utilization reading)', async () => {
    const m = new FakeMachine();
    let now = 0;
    let broken = false;
    const c = counted();
    const readFile = (p: string): Promise<string> =>
      broken && p.endsWith('meminfo') ? Promise.reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })) : c.readFile(p);
    const set = await SensorSet.open({ ...m.context(() => now), readFile }, ['nvidia-smi']);
    set.useOnly((r) => r.primary === true && r.kind === 'util');
    broken = true;
    for (let i = 0; i < 5; i++) {
      now += 100;
      m.set(LOAD, 0.1);
      assert.equal((await set.read(1000)).health.find((h) => h.name === 'meminfo')?.up, false);
    }
    assert.equal(set.health().find((h) => h.name === 'meminfo')?.failures, 5, 'read (and failing) every tick');
    assert.ok(c.reads('/stat') >= 5, 'proc-stat offers cpu.util: read every tick');
    await set.close();
  });

  /** How many timers a few reads of `set` arm. */
  async function timersArmed(set: SensorSet): Promise<number> {
    const real = globalThis.setTimeout;
    let armed = 0;
    globalThis.setTimeout = ((...a: Parameters<typeof setTimeout>) => (armed++, real(...a))) as typeof setTimeout;
    try {
      for (let i = 0; i < 5; i++) await set.read(1000);
    } finally {
      globalThis.setTimeout = real;
    }
    return armed;
  }

  it('arms no deadline timer when no read waits (a cleared timer still wakes the process when due), one when sysfs reads do', async () => {
    const m = new FakeMachine();
    const own = { ...m.context(() => 0), readFile: undefined }; // the set's own kept-open files
    const procOnly = await SensorSet.open(own, ['hwmon', 'thermal-zone', 'rapl', 'cpufreq', 'thermal-throttle', 'nvidia-smi']);
    assert.equal(await timersArmed(procOnly), 0);
    await procOnly.close();
    const withSysfs = await SensorSet.open(own, ['nvidia-smi']);
    assert.equal(await timersArmed(withSysfs), 5, 'hwmon, RAPL, cpufreq go to the thread pool: one deadline per read');
    await withSysfs.close();
  });
});

describe('SensorSet with nvidia-smi', () => {
  it('a dead nvidia-smi child makes its source down (rle_sensor_up 0), with the reason', async () => {
    const { fakeNvidiaSmi } = await import('../helpers.js');
    const m = new FakeMachine();
    process.env.FAKE_NVSMI_MODE = 'dies';
    const exe = fakeNvidiaSmi();
    const set = await SensorSet.open({ ...m.context(() => performance.now(), 100), nvidiaSmi: exe }, ['hwmon', 'rapl', 'cpufreq', 'meminfo', 'thermal-zone']);
    delete process.env.FAKE_NVSMI_MODE;
    const first = (await set.read(1000)).health.find((h) => h.name === 'nvidia-smi')!;
    assert.equal(first.up, true, 'streaming at first');
    let down = first;
    for (let i = 0; i < 60 && down.up; i++) {
      await new Promise((r) => setTimeout(r, 100));
      down = (await set.read(1000)).health.find((h) => h.name === 'nvidia-smi')!;
    }
    await set.close();
    assert.equal(down.up, false);
    assert.match(down.error!, /^gpu0\.\w+: (nvidia-smi exited|stale|no data)/);
  });
});
