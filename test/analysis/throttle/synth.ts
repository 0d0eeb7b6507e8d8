/** Seeded synthetic devices for the throttle tests: inputs, and sessions with a known throttle phase. */
import type { ThrottleColumns } from '../../../src/analysis/throttle/device.js';
import type { ThrottleInput } from '../../../src/analysis/throttle/types.js';
import { gauss, rng } from '../../helpers.js';

export const T0 = 1_700_000_000;

/** A sample with nothing offered, overridden by `s`. */
export function input(s: Partial<ThrottleInput> = {}): ThrottleInput {
  return { t: T0, util_pct: null, temp_c: null, temp_limit_c: null, clock_ratio: null, thermal_throttle_count: null, power_limit_count: null, throttle_time_ms: null, gpu_reasons: null, ...s };
}

export type Phase = 'idle' | 'load' | 'throttle' | 'recovery';

/** Phases of a session: idle 60 s, load 120 s, throttle 150 s, recovery 90 s (1 Hz). */
export const PHASES: readonly [Phase, number][] = [['idle', 60], ['load', 120], ['throttle', 150], ['recovery', 90]];

export interface Session {
  cols: ThrottleColumns & { util_pct: number[]; temp_c: number[]; clock_ratio: number[] };
  phase: Phase[];
  /** The true throttle phase, [start, end) in Unix s. */
  truth: [number, number];
}

/**
 * A CPU-like device at 1 Hz with a 90 °C limit. Idle: 5 % util, 45 °C, clocks at 0.4 (power
 * saving). Load: 98 %, heating from 60 towards 85 °C, clocks 1.0. Throttle: 98 %, hovering
 * 0.5 °C under the limit, clocks 0.72. Recovery: still 98 %, cooled to 80 °C (fans caught up),
 * clocks 1.0. Noise: σ_temp °C and σ_clock on every reading, σ 2 % on utilization.
 */
export function cpuSession(seed: number, sigmaTempC: number, sigmaClock: number, dt = 1): Session {
  const u = rng(seed);
  const t: number[] = [], util: number[] = [], temp: number[] = [], clock: number[] = [], phase: Phase[] = [];
  let now = T0;
  let truth: [number, number] = [0, 0];
  for (const [p, len] of PHASES) {
    if (p === 'throttle') truth = [now, now + len];
    for (let k = 0; k < len; k += dt) {
      const [ut, te, cl] =
        p === 'idle' ? [5, 45, 0.4] : p === 'load' ? [98, 60 + (25 * k) / len, 1.0] : p === 'throttle' ? [98, 89.5, 0.72] : [98, 80, 1.0];
      t.push(now);
      util.push(Math.max(0, Math.min(100, ut + 2 * gauss(u))));
      temp.push(te + sigmaTempC * gauss(u));
      clock.push(Math.max(0, Math.min(1.05, cl + sigmaClock * gauss(u))));
      phase.push(p);
      now += dt;
    }
  }
  return { cols: { t, util_pct: util, temp_c: temp, temp_limit_c: t.map(() => 90), clock_ratio: clock }, phase, truth };
}

/** Intersection over union of two sets of spans (each non-overlapping). */
export function iou(a: readonly { start: number; end: number }[], b: readonly { start: number; end: number }[]): number {
  const len = (s: readonly { start: number; end: number }[]): number => s.reduce((x, y) => x + y.end - y.start, 0);
  let inter = 0;
  for (const x of a) for (const y of b) inter += Math.max(0, Math.min(x.end, y.end) - Math.max(x.start, y.start));
  const union = len(a) + len(b) - inter;
  return union > 0 ? inter / union : 0;
}
