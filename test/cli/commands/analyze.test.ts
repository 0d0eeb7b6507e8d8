/** `rle analyze`: the JSON shape (exactly), the human table, and real numbers on a seed session. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixtureFile, runCli } from '../../helpers.js';

/** The shape: every key, nothing more. */
const DEVICE_KEYS = {
  samples: 0, duration_s: 0, gaps: { count: 0, longest_s: 0 }, longest_step_s: 0, collapse_samples: 0, collapse_rate: 0, collapse_note: 'x',
  collapse_events: 0, rle_smoothed: { mean: 0, min: 0, max: 0 }, E_th_mean: 0, E_pw_mean: 0,
  power_w: { mean: 0, max: 0, measured_share: 0, label: 'x' }, temp_c: { mean: 0, max: 0, available_share: 0, label: 'x' }, util_pct_mean: 0,
  throttle: { throttled_s: 0, unthrottled_s: 0, unknown_s: 0, share: 0, causes: [], inferred: false, inferred_s: 0 },
};

function assertShape(value: unknown, shape: unknown, at: string): void {
  if (Array.isArray(shape)) assert.ok(Array.isArray(value) && value.every((x) => typeof x === 'string'), `${at} is a list of words`);
  else if (typeof shape === 'boolean') assert.equal(typeof value, 'boolean', `${at} is a boolean`);
  else if (typeof shape === 'string') assert.ok(value === null || typeof value === 'string', `${at} is a word or null`);
  else if (shape !== null && typeof shape === 'object') {
    assert.ok(value !== null && typeof value === 'object', `${at} is an object`);
    assert.deepEqual(Object.keys(value).sort(), Object.keys(shape).sort(), `${at} keys`);
    for (const k of Object.keys(shape)) assertShape((value as Record<string, unknown>)[k], (shape as Record<string, unknown>)[k], `${at}.${k}`);
  } else {
    assert.ok(value === null || typeof value === 'number', `${at} is a number or null`);
  }
}

describe('rle analyze', () => {
  it('--json has exactly the documented shape, on a two-device session with malformed rows', async () => {
    const input = fixtureFile('golden/pc_rle_20251027_09.in.csv.gz');
    const r = await runCli(['analyze', input, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { source: string; rows: number; malformed_rows: number; devices: Record<string, unknown> };
    assert.deepEqual(Object.keys(s).sort(), ['devices', 'malformed_rows', 'rows', 'source']);
    assert.equal(s.source, input);
    assert.equal(s.rows, 11587);
    assert.equal(s.malformed_rows, 26);
    assert.deepEqual(Object.keys(s.devices), ['gpu', 'cpu']);
    for (const [name, d] of Object.entries(s.devices)) assertShape(d, DEVICE_KEYS, name);
    const cpu = s.devices.cpu as typeof DEVICE_KEYS;
    assert.equal(cpu.temp_c.available_share, 0);
    assert.equal(cpu.temp_c.mean, null);
    assert.equal(cpu.collapse_samples, 0);
    assert.match(r.stderr, /note: cpu: no temperature reading/);
  });
  it('finds the collapses of the synthetic throttling session', async () => {
    const r = await runCli(['analyze', fixtureFile('golden/synthetic_throttle_seed1.in.csv.gz'), '--json']);
    const s = JSON.parse(r.stdout) as { devices: Record<string, typeof DEVICE_KEYS> };
    const total = Object.values(s.devices).reduce((a, d) => a + d.collapse_samples, 0);
    assert.equal(total, 136); // the golden file's count of collapse = 1
    assert.ok(Object.values(s.devices).every((d) => d.collapse_events >= 1));
  });
  it('prints the real desktop numbers and the gap for humans', async () => {
    const r = await runCli(['analyze', 'examples/desktop-live.csv']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1708 rows, 0 malformed, 1 device\n/);
    assert.match(r.stdout, /^cpu: 1708 samples over 42\.0 min, 3 gaps \(longest 10\.8 min\)$/m);
    assert.match(r.stdout, /power +mean 49 W, max 86\.5 W, a reading on 100\.0% of samples/);
    assert.match(r.stdout, /temperature +mean 43\.3 °C, max 61 °C, a reading on 98\.9% of samples/);
  });
  it('flags constant "readings" written by the old tools', async () => {
    const r = await runCli(['analyze', fixtureFile('golden/training_reproducibility_test_1_rle_data_20251028_195412.in.csv.gz')]);
    assert.match(r.stdout, /cpu: temp_c is 50 °C on all 180 samples/);
    assert.match(r.stdout, /cpu: power_w is 125 W on all 180 samples/);
  });
});
