/** Synthetic tick reports for sink tests: one cpu sample per tick, 1 Hz from T0. */
import type { MetricRow } from '../../src/core/engine.js';
import type { TickReport } from '../../src/sampler/sampler.js';

export const T0 = 1_700_000_000;

export function tick(k: number, o: { collapse?: 0 | 1; extra?: Record<string, number>; events?: TickReport['events'] } = {}): TickReport {
  const t = T0 + k;
  const metric: MetricRow = { rle_smoothed: 0.5, rle_raw: 0.5, rle_norm: 0.5, E_th: 0.9, E_pw: 1, a_load: 0.4, t_sustain_s: 600, rolling_peak: 0.6, collapse: o.collapse ?? 0, power_source: 'measured', power_used_w: 50 };
  return {
    tick: { k, scheduledS: t, actualS: t, latenessMs: 0 },
    samples: [{ device: 'cpu', t, scheduled_t: t, util_pct: 40, temp_c: 55, power_w: 50, util_src: 'measured', temp_src: 'measured', power_src: 'measured', extra: o.extra ?? { 'cpu.freq': 3000 } }],
    metrics: [metric],
    throttle: [{ throttled: null, causes: [], inferred: false, reason: 'no evidence' }],
    health: [{ name: 'proc-stat', up: true, durationMs: 1, error: null }],
    events: o.events ?? [],
  };
}
