/** The verdict and the output's shape: the pre-specified family, the exploratory list, and when the question cannot be asked. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COUPLING_DEFAULTS, couplingMethod, deviceCoupling } from '../../../src/analysis/coupling/coupling.js';
import { session } from './synthetic.js';

describe('coupling verdict', () => {
  it('a device with no thermal reading (no temperature, power estimated) is insufficient data, naming what is missing', () => {
    const { device: d, steps } = session({ seed: 2, n: 400, link: 0.45 });
    const none = { ...d, temp_c: d.temp_c.map(() => null), power_w: d.power_w.map(() => null), power_estimated: d.power_estimated.map(() => 1) };
    const c = deviceCoupling(none, steps);
    assert.equal(c.verdict, 'insufficient data');
    assert.match(c.reason, /no thermal reading: temperature not measured; power not measured/);
    assert.ok(c.prespecified.tests.every((t) => t.p_value === null));
  });
  it('constant readings are no reading either (the seed training CPU: 50.0 °C and 125.0 W throughout)', () => {
    const { device: d, steps } = session({ seed: 3, n: 400 });
    const flat = { ...d, temp_c: d.temp_c.map(() => 50), power_w: d.power_w.map(() => 125) };
    const c = deviceCoupling(flat, steps);
    assert.equal(c.verdict, 'insufficient data');
    assert.match(c.reason, /temp_c does not vary.*power_w does not vary/);
  });
  it('a constant grad_norm is named as what does not vary, not the thermal series', () => {
    const { device: d, steps } = session({ seed: 3, n: 400 });
    const c = deviceCoupling(d, steps.map((s) => ({ ...s, grad_norm: 1 })));
    assert.equal(c.verdict, 'insufficient data');
    assert.match(c.reason, /grad_norm ↔ rle_smoothed: grad_norm does not vary over the pairs here/);
    assert.doesNotMatch(c.reason, /(rle_smoothed|temp_c|power_w) does not vary/);
  });
  it('temperature alone is enough to ask; the family is what was measured', () => {
    const { device: d, steps } = session({ seed: 4, n: 400 });
    const c = deviceCoupling({ ...d, power_w: d.power_w.map(() => null) }, steps);
    assert.notEqual(c.verdict, 'insufficient data', c.reason);
    assert.deepEqual(c.prespecified.tests.map((t) => [t.test, t.p_value === null]), [['grad_norm ~ rle_smoothed', false], ['grad_norm ~ temp_c', false], ['grad_norm ~ power_w', true], ['grad_norm spikes ~ collapse starts', c.events.p_value === null]]);
  });
  it('says insufficient data with few aligned samples after the warm-up, and without steps', () => {
    const { device: d, steps } = session({ seed: 5, n: 25, stepS: 1 });
    const short = deviceCoupling(d, steps);
    assert.equal(short.verdict, 'insufficient data');
    assert.match(short.reason, /\d+ telemetry samples have a training step in their interval after the warm-up \(need ≥ 20\)/);
    const none = deviceCoupling(d, []);
    assert.equal(none.verdict, 'insufficient data');
    assert.match(none.reason, /no training steps/);
  });
  it('reports r with a 95 % interval, the lag convention, n, raw and Holm-adjusted p in two families', () => {
    const { device: d, steps } = session({ seed: 6, n: 600, link: 0.45 });
    const c = deviceCoupling(d, steps);
    assert.equal(c.verdict, 'coupled', c.reason);
    assert.equal(c.prespecified.correction, 'Holm');
    assert.equal(c.prespecified.alpha, 0.05);
    assert.deepEqual(c.exploratory.tests.map((t) => t.test), ['grad_norm ~ util_pct', 'loss ~ rle_smoothed', 'loss ~ temp_c', 'loss ~ power_w', 'loss ~ util_pct']);
    for (const e of c.xcorr) {
      assert.ok(e.p_adjusted! >= e.p_value!, `${e.training_metric} ~ ${e.metric}`);
      assert.ok(e.ci95![0] <= e.peak_r! && e.peak_r! <= e.ci95![1]);
      assert.ok(e.n > 500 && e.n_eff! > 100 && e.draws > 0);
    }
    const temp = c.xcorr.find((e) => e.training_metric === 'grad_norm' && e.metric === 'temp_c')!;
    assert.equal(temp.peak_lag_s, -3); // thermal leads: negative
    assert.ok(temp.ci95![0] > 0.2, `${temp.ci95![0]}`);
    assert.equal(c.warmup.samples_dropped, 5);
    assert.equal(c.warmup.steps_dropped, Math.max(10, Math.ceil(0.05 * steps.length)));
    assert.equal(c.method, couplingMethod(COUPLING_DEFAULTS));
    assert.match(c.method, /local linear fit over 60 s.*Holm/);
  });
});
