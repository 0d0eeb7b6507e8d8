/**
 * The session store's schema. Readings (samples) and the engine's output (metrics) are kept
 * apart: readings are what was measured, metrics can be recomputed with other parameters.
 * Times are Unix seconds (REAL) on the session's one clock.
 */
export const SCHEMA_VERSION = 2;

/**
 * Columns added since version 1, applied to an older store on open (ALTER TABLE … ADD COLUMN;
 * old rows get NULL: "not judged", which reads as cannot tell).
 */
export const MIGRATIONS: readonly { table: string; column: string; type: string }[] = [
  // The throttle detector's answer per sample: 1, 0, NULL (cannot tell); causes `;`-separated.
  { table: 'metrics', column: 'throttled', type: 'INTEGER' },
  { table: 'metrics', column: 'throttle_causes', type: 'TEXT' },
  // A step's own start, when the trainer said (Unix s); NULL: the previous step's end.
  { table: 'steps', column: 't_start', type: 'REAL' },
  // Where t came from: own, arrival, burst (NULL: arrival, as before).
  { table: 'steps', column: 't_source', type: 'TEXT' },
];

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  name TEXT,
  kind TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
  started_at REAL NOT NULL,
  ended_at REAL,
  host TEXT NOT NULL,
  pid INTEGER,
  manifest TEXT NOT NULL
);
-- One row per device per tick: the readings that feed the engine, with their provenance
-- ('measured' | 'recorded' | 'estimated' | 'derived' | 'constant'; NULL when unavailable),
-- and the other readings as JSON.
CREATE TABLE IF NOT EXISTS samples (
  id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  device TEXT NOT NULL,
  t REAL NOT NULL,
  scheduled_t REAL,
  util_pct REAL,
  temp_c REAL,
  power_w REAL,
  util_src TEXT,
  temp_src TEXT,
  power_src TEXT,
  extra TEXT
);
CREATE INDEX IF NOT EXISTS samples_by_session ON samples(session_id, id);
-- The engine's output for each sample (same id).
CREATE TABLE IF NOT EXISTS metrics (
  sample_id INTEGER PRIMARY KEY REFERENCES samples(id) ON DELETE CASCADE,
  rle_smoothed REAL, rle_raw REAL, rle_norm REAL, E_th REAL, E_pw REAL,
  a_load REAL, t_sustain_s REAL, rolling_peak REAL, collapse INTEGER NOT NULL,
  power_source TEXT NOT NULL,
  throttled INTEGER, throttle_causes TEXT
);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  t REAL NOT NULL,
  device TEXT,
  type TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX IF NOT EXISTS events_by_session ON events(session_id, t);
CREATE TABLE IF NOT EXISTS steps (
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  t REAL NOT NULL,
  loss REAL, grad_norm REAL, learning_rate REAL, tokens INTEGER, epoch REAL,
  t_start REAL, t_source TEXT,
  PRIMARY KEY (session_id, step)
);
`;
