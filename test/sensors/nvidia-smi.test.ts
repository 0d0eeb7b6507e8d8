import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeClockEventReasons, initialFieldNames, integrateEnergy, NO_ENERGY, parseLine, withoutRejected } from '../../src/sensors/nvidia-smi-parse.js';
import { createNvidiaSmi, ratedPowerFromReadings, type NvidiaSmiOptions } from '../../src/sensors/nvidia-smi.js';
import type { Reading, SensorContext, SensorSource } from '../../src/sensors/types.js';
import { FIXTURES, tmpDir } from '../helpers.js';

const FAKE = path.join(FIXTURES, 'nvidia-smi', 'fake-nvidia-smi');
const MIB = 1024 * 1024;

interface Spawn {
  pid: number;
  args: string;
}

/** A fresh copy of the fake (mode set here, in case git lost it) in its own state folder. */
function fake(mode: string) {
  const dir = tmpDir();
  const exe = path.join(dir, 'nvidia-smi');
  fs.copyFileSync(FAKE, exe);
  fs.chmodSync(exe, 0o755);
  // The source spawns with our environment; tests in a file run one at a time.
  process.env.FAKE_NVSMI_MODE = mode;
  process.env.FAKE_NVSMI_STATE_DIR = dir;
  const spawns = (): Spawn[] => {
    const file = path.join(dir, 'spawns');
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const [pid = '', , ...args] = l.split(' ');
        return { pid: Number(pid), args: args.join(' ') };
      });
  };
  return { exe, spawns };
}

after(() => {
  delete process.env.FAKE_NVSMI_MODE;
  delete process.env.FAKE_NVSMI_STATE_DIR;
});

function context(nvidiaSmi: string | null, periodMs = 50): SensorContext {
  return { sysfsRoot: '/nonexistent', procfsRoot: '/nonexistent', nvidiaSmi, periodMs, now: () => performance.now() };
}

async function open(exe: string | null, opts?: NvidiaSmiOptions): Promise<SensorSource> {
  const source = createNvidiaSmi(context(exe), opts);
  await source.probe();
  return source;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function byId(source: SensorSource): Promise<Map<string, Reading>> {
  return new Map((await source.read()).map((r) => [r.id, r]));
}

function get(readings: Map<string, Reading>, id: string): Reading {
  const r = readings.get(id);
  assert.ok(r, `no reading ${id} in ${[...readings.keys()].join(' ')}`);
  return r;
}

/** Polls every 10 ms until `check` returns true. */
async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 3000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}

describe('nvidia-smi parsing', () => {
  it('decodes the NVML clocks event reasons bitmask, unknown bits as hex', () => {
    assert.deepEqual(decodeClockEventReasons(0), []);
    assert.deepEqual(decodeClockEventReasons(0x4), ['sw_power_cap']);
    assert.deepEqual(decodeClockEventReasons(0x1a5), [
      'gpu_idle',
      'sw_power_cap',
      'sw_thermal_slowdown',
      'hw_power_brake_slowdown',
      'display_clock_setting',
    ]);
    assert.deepEqual(decodeClockEventReasons(0x208), ['hw_slowdown', '0x200']);
  });

  it('parses a line in query order and keeps a comma inside the GPU name', () => {
    const names = initialFieldNames();
    // index, uuid, name, util.gpu, util.mem, temp, tlimit, power.draw, power.limit, enforced, clocks.sm, clocks.max.sm, clocks.mem, mem.used, mem.total, fan, reasons
    const line = '3, GPU-x, Acme, Model 9, 12, 5, 40, 21, 100.5, 200.00, 190.00, 1500, 1800, 5000, 10, 20, [Unknown Error], 0x0000000000000008';
    const s = parseLine(line, names);
    assert.equal(s?.index, 3);
    assert.equal(s?.values.name, 'Acme, Model 9');
    assert.equal(s?.values['fan.speed'], '[Unknown Error]');
    assert.deepEqual([s?.values['temperature.gpu.tlimit'], s?.values['clocks.max.sm'], s?.values['enforced.power.limit']], ['21', '1800', '190.00']);
    assert.equal(parseLine('Field "x" is not a valid field to query.', names), null);
  });

  it('falls back from clocks_event_reasons to the old name, then drops the field', () => {
    const old = withoutRejected(initialFieldNames(), 'clocks_event_reasons.active');
    assert.equal(old?.get('clocks_event_reasons.active'), 'clocks_throttle_reasons.active');
    const none = withoutRejected(old, 'clocks_throttle_reasons.active');
    assert.equal(none?.get('clocks_event_reasons.active'), null);
    assert.equal(withoutRejected(none, 'clocks_throttle_reasons.active'), null);
    assert.equal(withoutRejected(initialFieldNames(), 'index'), null);
  });

  it('integrates power by the trapezoid rule and does not bridge long gaps', () => {
    let e = integrateEnergy(NO_ENERGY, 100, 0, 3000);
    e = integrateEnergy(e, 300, 1000, 3000);
    assert.equal(e.joules, 200);
    e = integrateEnergy(e, 300, 10_000, 3000);
    assert.equal(e.joules, 200);
  });
});

describe('nvidia-smi source', () => {
  it('streams two GPUs from one child: values, units, [N/A] and [Not Supported], throttle, rated power', async () => {
    const { exe, spawns } = fake('ok');
    const source = await open(exe);
    try {
      const r = await byId(source);
      const suffixes = ['name', 'util', 'mem_util', 'temp', 'power', 'power_limit', 'power_limit_enforced', 'temp_tlimit', 'temp_limit', 'clock_sm', 'clock_sm_max', 'clock_ratio', 'clock_mem', 'mem_used', 'mem_total', 'fan', 'throttle', 'energy'];
      assert.deepEqual([...r.keys()].sort(), ['gpu0', 'gpu1'].flatMap((d) => suffixes.map((s) => `${d}.${s}`)).sort());

      const util = get(r, 'gpu0.util');
      assert.equal(util.status, 'ok');
      assert.ok(util.value! >= 90 && util.value! <= 94);
      assert.deepEqual([util.device, util.kind, util.unit, util.primary], ['gpu0', 'util', '%', true]);
      assert.match(util.source, /--query-gpu=index,uuid,name,.*,clocks_event_reasons\.active --format=csv,noheader,nounits -lms 50$/);
      const temp = get(r, 'gpu0.temp');
      assert.deepEqual([temp.kind, temp.unit, temp.primary], ['temp', '°C', true]);
      assert.ok(temp.value === 61 || temp.value === 62);
      const power = get(r, 'gpu0.power');
      assert.deepEqual([power.kind, power.unit, power.primary, power.provenance], ['power', 'W', true, 'measured']);
      assert.ok(power.value! >= 650 && power.value! <= 657.5);
      assert.deepEqual([get(r, 'gpu0.power_limit').value, get(r, 'gpu0.power_limit').primary], [700, undefined]);
      assert.deepEqual([get(r, 'gpu0.clock_mem').value, get(r, 'gpu0.clock_mem').kind, get(r, 'gpu0.clock_mem').unit], [3201, 'freq', 'MHz']);
      assert.deepEqual([get(r, 'gpu0.mem_total').value, get(r, 'gpu0.mem_total').unit], [143771 * MIB, 'bytes']);
      assert.ok([81234 * MIB, 81235 * MIB].includes(get(r, 'gpu0.mem_used').value!));
      assert.deepEqual([get(r, 'gpu1.mem_total').value, get(r, 'gpu1.mem_used').value], [40960 * MIB, 4 * MIB]);
      assert.deepEqual([get(r, 'gpu0.fan').value, get(r, 'gpu0.fan').kind], [30, 'fan']);
      assert.deepEqual([get(r, 'gpu0.throttle').value, get(r, 'gpu0.throttle').detail], [4, 'sw_power_cap']);
      assert.deepEqual([get(r, 'gpu1.throttle').value, get(r, 'gpu1.throttle').detail], [1, 'gpu_idle']);
      // Throttle evidence: the slowdown temperature (temp + T.Limit headroom) and the SM clock ratio, both derived.
      const lim = get(r, 'gpu0.temp_limit');
      assert.deepEqual([lim.provenance, lim.value], ['derived', temp.value + get(r, 'gpu0.temp_tlimit').value!]);
      assert.equal(lim.value, 87, '61 + 26 or 62 + 25: the fake keeps the slowdown temperature at 87 °C');
      const ratio = get(r, 'gpu0.clock_ratio');
      assert.deepEqual([ratio.kind, ratio.provenance], ['ratio', 'derived']);
      assert.equal(ratio.value, get(r, 'gpu0.clock_sm').value! / 1980);
      assert.deepEqual([get(r, 'gpu1.temp_limit').status, get(r, 'gpu1.temp_limit').reason], ['unavailable', 'temperature.gpu.tlimit: nvidia-smi: [N/A]']);
      assert.equal(get(r, 'gpu0.power_limit_enforced').value, 700);
      const name = get(r, 'gpu0.name');
      assert.deepEqual([name.status, name.value, name.kind], ['ok', null, 'info']);
      assert.equal(name.detail, 'NVIDIA H200 (GPU-6f1c3a2e-8b1d-4c57-9e0a-2d3b4c5d6e7f)');

      assert.deepEqual([get(r, 'gpu1.power').status, get(r, 'gpu1.power').reason], ['unavailable', 'nvidia-smi: [N/A]']);
      assert.deepEqual([get(r, 'gpu1.fan').status, get(r, 'gpu1.fan').reason], ['unavailable', 'nvidia-smi: [Not Supported]']);
      assert.equal(get(r, 'gpu1.energy').status, 'unavailable');
      assert.match(get(r, 'gpu1.energy').reason!, /\[N\/A\]/);
      assert.deepEqual(ratedPowerFromReadings([...r.values()]), { gpu0: 700, gpu1: 400 });

      // Energy: ~650 W integrated over the time between reads (±1 period of line timing).
      const e0 = get(r, 'gpu0.energy');
      assert.deepEqual([e0.kind, e0.unit, e0.provenance], ['energy', 'J', 'derived']);
      assert.match(e0.detail!, /derived.*measured power\.draw/);
      const t0 = performance.now();
      for (let i = 0; i < 100; i++) {
        await source.read();
        await sleep(3);
      }
      const r2 = await byId(source);
      const watts = (get(r2, 'gpu0.energy').value! - e0.value!) / ((performance.now() - t0) / 1000);
      assert.ok(watts > 450 && watts < 850, `average ${watts} W`);

      const started = spawns();
      assert.equal(started.length, 1, 'one child for all reads');
      await source.close();
      assert.equal(alive(started[0]!.pid), false);
      const closed = get(await byId(source), 'gpu0.util');
      assert.deepEqual([closed.status, closed.reason], ['error', 'nvidia-smi source closed']);
    } finally {
      await source.close();
    }
  });

  it('retries with clocks_throttle_reasons.active when an old driver rejects clocks_event_reasons.active', async () => {
    const { exe, spawns } = fake('old-driver');
    const source = await open(exe);
    try {
      // The retry starts at once; on a busy machine two child start-ups can outlast the probe's
      // 2 s wait for the first burst (the source then keeps reading), so wait for the data.
      await until('the retry', async () => spawns().length >= 2 && get(await byId(source), 'gpu0.throttle').status === 'ok', 20_000);
      const started = spawns();
      assert.equal(started.length, 2);
      assert.match(started[0]!.args, /clocks_event_reasons\.active/);
      assert.match(started[1]!.args, /clocks_throttle_reasons\.active/);
      const throttle = get(await byId(source), 'gpu0.throttle');
      assert.deepEqual([throttle.status, throttle.value, throttle.detail], ['ok', 4, 'sw_power_cap']);
      assert.match(throttle.source, /clocks_throttle_reasons\.active/);
    } finally {
      await source.close();
    }
  });

  it('reports a missing executable as unavailable, without throwing or retrying', async () => {
    const exe = path.join(tmpDir(), 'no-such-nvidia-smi');
    const t0 = performance.now();
    const source = await open(exe);
    assert.ok(performance.now() - t0 < 1000);
    await sleep(100);
    const r = await source.read();
    assert.deepEqual(
      r.map((x) => [x.id, x.device, x.status, x.reason]),
      [['gpu.present', 'gpu', 'unavailable', `nvidia-smi not found (${exe})`]],
    );
    await source.close();
  });

  it('reports disabled GPUs and a machine with no devices as unavailable', async () => {
    const disabled = await open(null);
    assert.deepEqual(
      (await disabled.read()).map((x) => [x.id, x.status, x.reason]),
      [['gpu.present', 'unavailable', 'NVIDIA GPUs disabled']],
    );
    await disabled.close();

    const { exe, spawns } = fake('no-devices');
    const none = await open(exe, { restartBackoffMs: [20] });
    await sleep(100);
    assert.deepEqual(
      (await none.read()).map((x) => [x.id, x.status, x.reason]),
      [['gpu.present', 'unavailable', 'nvidia-smi: No devices were found']],
    );
    assert.equal(spawns().length, 1, 'no restarts');
    await none.close();
  });

  it('marks GPUs as errors when the child dies, then restarts it and data flows again', async () => {
    const { exe, spawns } = fake('dies');
    const source = await open(exe, { staleAfterMs: 1000, restartBackoffMs: [150, 200] });
    try {
      let reason = '';
      await until('an error after the child exits', async () => {
        const util = get(await byId(source), 'gpu0.util');
        reason = util.reason ?? '';
        return util.status === 'error';
      });
      assert.match(reason, /^nvidia-smi exited with code 1: .*GPU is lost\.; restarting in \d+\.\d s$/);
      await until('a restart', () => spawns().length >= 2);
      await until('fresh data', async () => get(await byId(source), 'gpu0.util').status === 'ok');
      assert.equal(alive(spawns()[0]!.pid), false);
      // Dying again before a healthy run moves on to the next (and last, repeated) backoff step.
      await until('the next backoff step', async () => /restarting in 0\.2 s$/.test(get(await byId(source), 'gpu0.util').reason ?? ''));
    } finally {
      await source.close();
    }
    assert.ok(spawns().every((s) => !alive(s.pid)));
  });

  it('marks a hung child stale, kills it despite SIGTERM being ignored, and restarts it', async () => {
    const { exe, spawns } = fake('hangs');
    const source = await open(exe, { staleAfterMs: 300, restartBackoffMs: [50] });
    try {
      assert.equal(get(await byId(source), 'gpu1.temp').status, 'ok');
      let reason = '';
      await until('stale readings', async () => {
        const temp = get(await byId(source), 'gpu1.temp');
        reason = temp.reason ?? '';
        return temp.status === 'error';
      });
      assert.match(reason, /^stale: no data from nvidia-smi for \d+\.\d s/);
      const first = spawns()[0]!.pid;
      await until('the hung child killed', () => !alive(first));
      await until('a restart with data', async () => spawns().length === 2 && get(await byId(source), 'gpu1.temp').status === 'ok');
    } finally {
      await source.close();
    }
    assert.ok(spawns().every((s) => !alive(s.pid)), 'close() leaves no child running');
  });
});
