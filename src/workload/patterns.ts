/**
 * Target utilization of the synthetic workload over time, as a fraction of every core (0–1).
 * t and the period are seconds since the workload started.
 */
export const PATTERNS = ['constant', 'ramp', 'sine', 'square'] as const;
export type Pattern = (typeof PATTERNS)[number];

export interface PatternSpec {
  pattern: Pattern;
  /** Peak (constant: the level) as a fraction of a core, 0–1. */
  intensity: number;
  /** Period of sine and square, s. */
  periodS: number;
  /** Length of the run, s (the ramp rises over it). */
  durationS: number;
}

export function targetAt(p: PatternSpec, t: number): number {
  const I = p.intensity;
  switch (p.pattern) {
    case 'constant':
      return I;
    case 'ramp':
      return I * Math.min(1, Math.max(0, t / p.durationS));
    case 'sine':
      return I * (0.5 + 0.5 * Math.sin((2 * Math.PI * t) / p.periodS));
    case 'square':
      return ((t % p.periodS) + p.periodS) % p.periodS < p.periodS / 2 ? I : 0;
  }
}
