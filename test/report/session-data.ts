/** A synthetic SessionData for report tests: one device, n samples at 1 Hz, optional steps. */
import { SummaryBuilder } from '../../src/analysis/summary.js';
import { emptySeries, type DeviceSeries, type SessionData } from '../../src/replay/series.js';
import type { StepRecord } from '../../src/store/session-store.js';

export const T0 = 1_700_000_000;

export function sessionData(n: number, o: { steps?: number; temp?: boolean } = {}): SessionData {
  const t = Array.from({ length: n }, (_, i) => T0 + i);
  const d: DeviceSeries = {
    ...emptySeries('cpu'),
    device: 'cpu', t, util_pct: t.map((_, i) => 50 + 40 * Math.sin(i / 30)), temp_c: t.map((_, i) => (o.temp === false ? null : 50 + i / n)),
    power_w: t.map(() => null), power_estimated: t.map(() => 1), power_provenance: { estimated: n }, temp_provenance: o.temp === false ? { unavailable: n } : { measured: n },
    rle_smoothed: t.map((_, i) => 0.5 + 0.1 * Math.cos(i / 10)), rolling_peak: t.map(() => 0.7), E_th: t.map(() => 0.9), E_pw: t.map(() => 1), collapse: t.map((_, i) => (i % 100 > 90 ? 1 : 0)),
  };
  const steps: StepRecord[] = Array.from({ length: o.steps ?? 0 }, (_, i) => ({ step: i + 1, t: T0 + 0.5 + (i * n) / (o.steps ?? 1), loss: 3 - i / 100, grad_norm: 1 + (i % 17 === 0 ? 5 : 0), learning_rate: 1e-4, tokens: 512, epoch: null }));
  const b = new SummaryBuilder(1);
  t.forEach((x, i) => b.add('cpu', { t: x, util_pct: d.util_pct[i]!, temp_c: d.temp_c[i]!, power_w: null, temp_src: d.temp_c[i] === null ? null : 'measured', power_src: null }, { rle_smoothed: d.rle_smoothed[i]!, E_th: 0.9, E_pw: 1, collapse: d.collapse[i] === 1 ? 1 : 0, power_source: 'estimated' }));
  return {
    id: 'S1', info: null, devices: [d], steps, events: [],
    summary: b.result('S1', n, 0),
    notes: ['cpu: no power reading; a_load and E_pw are estimated from utilization (rated × util) and carry no information'],
  };
}
