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
 * rle's own addition, after the spec columns: `measured` when power_w was a reading,
 * `estimated` when a_load came from rated power × utilization (spec step 3).
 */
export const PROVENANCE_COLUMNS = ['power_source'] as const;

/** Input columns the reader uses; all other spec columns are recomputed, never trusted. */
export const READING_COLUMNS = ['util_pct', 'temp_c', 'power_w'] as const;
