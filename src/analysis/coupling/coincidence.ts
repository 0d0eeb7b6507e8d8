/**
 * Do spikes and collapse events coincide more than chance? A coincidence is a spike with a
 * collapse event starting within ±w seconds of it. Under the null the two event sets are
 * unrelated: the spike times are circularly shifted, as a block, around the session's time
 * span (keeping their spacing and clustering; events keep theirs), `draws` times (seeded).
 * Reports the expected count under that null and p = (1 + #{null ≥ observed}) / (1 + draws).
 * Each count is a binary search per spike over the sorted starts: O(spikes · log events).
 */
import { mulberry32 } from '../../core/random.js';

export interface CoincidenceResult {
  coincidences: number;
  expected: number | null;
  p_value: number | null;
}

function near(starts: Float64Array, s: number, w: number): boolean {
  let lo = 0, hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! < s - w) lo = mid + 1;
    else hi = mid;
  }
  return lo < starts.length && starts[lo]! <= s + w;
}

function count(spikes: readonly number[], starts: Float64Array, w: number): number {
  let c = 0;
  for (const s of spikes) if (near(starts, s, w)) c++;
  return c;
}

export function coincidences(spikes: readonly number[], eventStarts: readonly number[], w: number, span: [number, number], draws: number, seed: number): CoincidenceResult {
  const starts = Float64Array.from(eventStarts).sort();
  const observed = count(spikes, starts, w);
  const [t0, t1] = span;
  const len = t1 - t0;
  if (spikes.length === 0 || starts.length === 0 || !(len > 2 * w) || draws <= 0) return { coincidences: observed, expected: null, p_value: null };
  const rand = mulberry32(seed);
  const shifted = new Array<number>(spikes.length);
  let ge = 0, total = 0;
  for (let s = 0; s < draws; s++) {
    const d = rand() * len;
    for (let i = 0; i < spikes.length; i++) shifted[i] = t0 + ((spikes[i]! - t0 + d) % len);
    const c = count(shifted, starts, w);
    total += c;
    if (c >= observed) ge++;
  }
  return { coincidences: observed, expected: total / draws, p_value: (1 + ge) / (1 + draws) };
}
