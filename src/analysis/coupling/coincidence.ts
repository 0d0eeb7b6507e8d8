/**
 * Do spikes and collapse events coincide more than chance? A coincidence is a spike with a
 * collapse event starting within ±w seconds of it. Under the null the two event sets are
 * unrelated: the spike times are circularly shifted, as a block, around the session's time
 * span (keeping their spacing and clustering; events keep theirs), N times (seeded). Reports
 * the expected count under that null and p = (1 + #{null ≥ observed}) / (1 + N).
 */
import { mulberry32 } from '../../core/random.js';

export interface CoincidenceResult {
  coincidences: number;
  expected: number | null;
  p_value: number | null;
}

function count(spikes: readonly number[], starts: readonly number[], w: number): number {
  let c = 0;
  for (const s of spikes) if (starts.some((e) => Math.abs(e - s) <= w)) c++;
  return c;
}

export function coincidences(spikes: readonly number[], starts: readonly number[], w: number, span: [number, number], shifts: number, seed: number): CoincidenceResult {
  const observed = count(spikes, starts, w);
  const [t0, t1] = span;
  const len = t1 - t0;
  if (spikes.length === 0 || starts.length === 0 || !(len > 2 * w)) return { coincidences: observed, expected: null, p_value: null };
  const rand = mulberry32(seed);
  let ge = 0, total = 0;
  for (let s = 0; s < shifts; s++) {
    const d = rand() * len;
    const shifted = spikes.map((x) => t0 + ((x - t0 + d) % len));
    const c = count(shifted, starts, w);
    total += c;
    if (c >= observed) ge++;
  }
  return { coincidences: observed, expected: total / shifts, p_value: (1 + ge) / (1 + shifts) };
}
