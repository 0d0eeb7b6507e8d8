/** Session CSV columns (spec §Session CSV), in order. Extra columns may follow. */
export const SPEC_COLUMNS = [
  'timestamp',
  'device',
  'rle_smoothed',
  'rle_raw',
  'rle_norm',
  'E_th',
  'E_pw',
  'temp_c',
  'power_w',
  'util_pct',
  'a_load',
  't_sustain_s',
  'rolling_peak',
  'collapse',
  'alerts',
] as const;

/**
 * rle's own additions, after the spec columns: `power_source`, the provenance of the power
 * behind a_load (`measured`, `recorded`, `estimated` when a_load came from rated power ×
 * utilization, spec step 3…); `throttled`, the throttle detector's answer (1, 0, empty for
 * cannot tell) and `throttle_causes` (`thermal;power`…). Recomputed, never read from an input.
 */
export const PROVENANCE_COLUMNS = ['power_source', 'throttled', 'throttle_causes'] as const;

/** Input columns the reader uses; all other spec columns are recomputed, never trusted. */
export const READING_COLUMNS = ['util_pct', 'temp_c', 'power_w'] as const;
