/**
 * Seeded synthetic training sessions for the coupling calibration: smooth shared trends (the
 * machine warms up while loss and grad_norm fall) plus AR(1) fluctuations that are independent,
 * or linked (grad_norm's fluctuations follow the thermal ones `lagS` seconds later, at
 * correlation `link`). Temperature is rounded to `quantumC` as real sensors are; rle_smoothed
 * and the collapse flags come from the real metric engine fed with the synthetic readings, so
 * they carry its start-up spike and its dependence on temperature, power and utilization.
 */
import { SessionEngine } from '../../../src/core/engine.js';
import { emptySeries, type DeviceSeries } from '../../../src/replay/series.js';
import type { StepRecord } from '../../../src/store/session-store.js';
import { gauss, rng } from '../../helpers.js';

export const T0 = 1_700_000_000;

export type Shape = 'exp' | 'logistic' | 'ramp';

export interface SessionSpec {
  seed: number;
  /** Telemetry samples. */
  n: number;
  hz: number;
  shape: Shape;
  /** Temperature rounding, °C (0: none). */
  quantumC: number;
  /** Seconds per training step. */
  stepS: number;
  /** Correlation between grad_norm's and the thermal fluctuations (0: independent). */
  link: number;
  /** The thermal fluctuations lead grad_norm's by this, s. */
  lagS: number;
  /** Temperature fluctuation sd, °C. */
  sigmaC: number;
  /** Training noise proportional to the trend's level (loss noise shrinks as loss falls), not constant. */
  hetero: boolean;
}

export const DEFAULT_SPEC: SessionSpec = { seed: 1, n: 600, hz: 1, shape: 'exp', quantumC: 1, stepS: 0.4, link: 0, lagS: 3, sigmaC: 1.5, hetero: false };

/** AR(1) with unit variance, coefficient phi per sample. */
function ar1(u: () => number, n: number, phi: number): Float64Array {
  const x = new Float64Array(n);
  let v = gauss(u);
  const s = Math.sqrt(1 - phi * phi);
  for (let i = 0; i < n; i++) x[i] = v = phi * v + s * gauss(u);
  return x;
}

/** 0 → 1 over the run: how the machine warms up. */
function rise(shape: Shape, t: number, tau: number): number {
  if (shape === 'exp') return 1 - Math.exp(-t / tau);
  if (shape === 'logistic') return 1 / (1 + Math.exp(-(t - 1.5 * tau) / (0.4 * tau)));
  return Math.min(1, t / (2 * tau));
}

export function session(spec: Partial<SessionSpec> = {}): { device: DeviceSeries; steps: StepRecord[] } {
  const s = { ...DEFAULT_SPEC, ...spec };
  const u = rng(s.seed);
  const n = s.n, dt = 1 / s.hz, dur = n * dt;
  const phi = (perSecond: number): number => Math.pow(perSecond, dt);
  const f = ar1(u, n, phi(0.7)); // thermal fluctuation
  const g = ar1(u, n, phi(0.5)); // power's own
  const e = ar1(u, n, phi(0.6)); // grad_norm's own
  const l = ar1(u, n, phi(0.6)); // loss's own
  const lag = Math.round(s.lagS * s.hz);
  const tauT = dur * (0.15 + 0.35 * u()), tauP = dur * (0.05 + 0.2 * u()), tauL = dur * (0.1 + 0.25 * u()), tauG = dur * (0.2 + 0.4 * u());
  const eng = new SessionEngine();
  const t: number[] = [], util: number[] = [], temp: number[] = [], power: number[] = [], rle: number[] = [], collapse: number[] = [];
  for (let i = 0; i < n; i++) {
    const ti = i * dt;
    t.push(T0 + ti);
    const uu = Math.min(100, Math.round(96 + 2 * gauss(u)));
    let c = 40 + 35 * rise(s.shape, ti, tauT) + s.sigmaC * f[i]!;
    if (s.quantumC > 0) c = Math.round(c / s.quantumC) * s.quantumC;
    const p = Math.round((120 + 60 * rise('exp', ti, tauP) + 8 * (0.8 * f[i]! + 0.6 * g[i]!)) * 10) / 10;
    const m = eng.push('gpu0', { util_pct: uu, temp_c: c, power_w: p });
    util.push(uu);
    temp.push(c);
    power.push(p);
    rle.push(m.rle_smoothed);
    collapse.push(m.collapse);
  }
  const fluctAt = (i: number): number => {
    const lead = i - lag >= 0 ? f[i - lag]! : gauss(u);
    return s.link * lead + Math.sqrt(1 - s.link * s.link) * e[i]!;
  };
  const steps: StepRecord[] = [];
  const t0 = 0.3 * u();
  for (let j = 0, ts = t0; ts < dur; j++, ts += s.stepS * (1 + 0.1 * (u() - 0.5))) {
    const i = Math.min(n - 1, Math.floor(ts * s.hz));
    const lt = 0.3 + 6 * Math.exp(-ts / tauL), gt = 4 + 20 * Math.exp(-ts / tauG);
    const ls = s.hetero ? lt / 2 : 1, gs = s.hetero ? gt / 10 : 1;
    const loss = lt + ls * (0.15 * l[i]! + 0.05 * gauss(u));
    const gn = gt + gs * (1.0 * fluctAt(i) + 0.3 * gauss(u));
    steps.push({ step: j + 1, t: T0 + ts, loss, grad_norm: gn, learning_rate: 1e-4, tokens: 512, epoch: null });
  }
  const device: DeviceSeries = {
    ...emptySeries('gpu0'),
    device: 'gpu0', t, util_pct: util, temp_c: temp, power_w: power, power_estimated: new Array<number>(n).fill(0), power_provenance: { measured: n }, temp_provenance: { measured: n },
    rle_smoothed: rle, rolling_peak: new Array<number>(n).fill(0), E_th: new Array<number>(n).fill(0), E_pw: new Array<number>(n).fill(0), collapse,
  };
  return { device, steps };
}
