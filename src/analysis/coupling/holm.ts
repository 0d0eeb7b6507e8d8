/**
 * Holm's step-down adjustment (Holm 1979): with the m p-values sorted, p_(i) × (m − i + 1),
 * made monotone and capped at 1. Rejecting where the adjusted p < α controls the family-wise
 * error rate at α under any dependence between the tests (the thermal series of one device are
 * strongly dependent, so a method that assumes independence would not do). Null stays null and
 * does not count in m.
 */
export function holm(p: readonly (number | null)[]): (number | null)[] {
  const idx = p.map((v, i) => [v, i] as const).filter((e): e is readonly [number, number] => e[0] !== null).sort((a, b) => a[0] - b[0]);
  const m = idx.length;
  const out: (number | null)[] = p.map(() => null);
  let run = 0;
  idx.forEach(([v, i], rank) => {
    run = Math.max(run, Math.min(1, v * (m - rank)));
    out[i] = run;
  });
  return out;
}
