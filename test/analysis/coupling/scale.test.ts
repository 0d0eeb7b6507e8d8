/**
 * A day at 1 Hz with a step every 0.17 s (86,400 samples, ~508,000 steps) in seconds, not
 * hours. Slow on a shared machine, so behind RLE_COUPLING_SCALE=1; prints the time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deviceCoupling } from '../../../src/analysis/coupling/coupling.js';
import { session } from './synthetic.js';

describe('coupling at scale', { skip: !process.env.RLE_COUPLING_SCALE }, () => {
  for (const link of [0, 0.45]) {
    it(`n = 86,400, a step every 0.17 s, link ${link}`, (t) => {
      const { device: d, steps } = session({ n: 86_400, hz: 1, stepS: 0.17, seed: 3, link, hetero: true });
      const t0 = performance.now();
      const c = deviceCoupling(d, steps);
      const s = (performance.now() - t0) / 1000;
      t.diagnostic(`${steps.length} steps: ${s.toFixed(1)} s, ${c.verdict}; surrogates per pair ${c.xcorr.map((e) => e.draws).join(' ')}`);
      assert.equal(c.verdict, link > 0 ? 'coupled' : 'not coupled');
      assert.ok(s < 60, `${s} s`);
    });
  }
});
