/**
 * Where a value came from. Every reading, stored sample and exported column carries one of
 * these, so a number never looks more certain than it is (the earlier RLE tools wrote 125 W and
 * 50 °C into reading columns as if measured).
 */
export const PROVENANCES = ['measured', 'recorded', 'estimated', 'derived', 'constant', 'unavailable'] as const;

/**
 * - `measured`: read from a sensor by rle itself;
 * - `recorded`: read from a file another tool wrote, which did not say how it got the value;
 * - `estimated`: from a model (rated × utilization, an opt-in idle/rated power model), with the how said beside it;
 * - `derived`: computed from measured values (energy integrated from sampled power, a clock ratio);
 * - `constant`: a recorded "reading" that never changes while the device works, or an exact
 *   function of another column (a tool wrote it, nothing measured it);
 * - `unavailable`: no value (the reason is kept beside it).
 */
export type Provenance = (typeof PROVENANCES)[number];

/** Values that are readings of the device: measured by rle, or recorded by another tool. */
export function isReading(p: Provenance | null | undefined): boolean {
  return p === 'measured' || p === 'recorded';
}
