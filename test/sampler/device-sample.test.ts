import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSamples, capabilityLines } from '../../src/sampler/device-sample.js';
import { ok, unavailable, type Reading } from '../../src/sensors/types.js';

const base = (id: string, device: string, kind: Reading['kind'], unit: string, source: string, primary = true) =>
  ({ id, device, kind, unit, source, primary }) as const;

const readings: Reading[] = [
  ok(base('cpu.util', 'cpu', 'util', '%', '/proc/stat'), 40),
  unavailable(base('cpu.temp', 'cpu', 'temp', '°C', 'hwmon'), 'no CPU package sensor'),
  ok(base('cpu.temp', 'cpu', 'temp', '°C', 'thermal_zone1'), 55.5),
  unavailable(base('cpu.power', 'cpu', 'power', 'W', 'rapl'), 'permission denied'),
  ok(base('cpu.freq', 'cpu', 'freq', 'MHz', 'cpufreq', false), 2400),
  ok(base('gpu0.util', 'gpu0', 'util', '%', 'nvidia-smi'), 90),
  ok(base('gpu0.temp', 'gpu0', 'temp', '°C', 'nvidia-smi'), 70),
  ok(base('gpu0.power', 'gpu0', 'power', 'W', 'nvidia-smi'), 300),
];

describe('buildSamples', () => {
  it('takes the first ok primary per device and kind, keeps other readings as extras', () => {
    const { samples, gaps } = buildSamples(readings, 10, 9.99, { devices: [], estimatePower: null });
    assert.equal(samples.length, 2);
    const cpu = samples[0]!;
    assert.deepEqual([cpu.util_pct, cpu.temp_c, cpu.power_w], [40, 55.5, null]);
    assert.deepEqual([cpu.util_src, cpu.temp_src, cpu.power_src], ['measured', 'measured', null]);
    assert.deepEqual(cpu.extra, { 'cpu.freq': 2400 });
    assert.equal(gaps.cpu!.power, 'permission denied');
    assert.equal(samples[1]!.power_w, 300);
  });
  it('estimates CPU power only when asked, and labels it', () => {
    const { samples } = buildSamples(readings, 10, 10, { devices: ['cpu'], estimatePower: { idleW: 10, ratedW: 110 } });
    assert.equal(samples.length, 1);
    assert.equal(samples[0]!.power_w, 10 + 100 * 0.4);
    assert.equal(samples[0]!.power_src, 'estimated');
  });
  it('filters devices by name or class', () => {
    assert.deepEqual(buildSamples(readings, 0, 0, { devices: ['gpu'], estimatePower: null }).samples.map((s) => s.device), ['gpu0']);
  });
  it('says what is measured and what is not, and why', () => {
    const [cpu, gpu] = capabilityLines(readings, { devices: [], estimatePower: null });
    assert.equal(cpu, 'cpu: util measured (/proc/stat); temp measured (thermal_zone1); power unavailable (permission denied)');
    assert.match(gpu!, /^gpu0: util measured/);
  });
});
