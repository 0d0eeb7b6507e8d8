/** rle's library API: the metric engine, session CSV reader/writer, and the session summary. */
export {
  DETECTOR_DEFAULTS,
  DEVICE_CURVE,
  RATED_POWER_W,
  TEMP_LIMIT_C,
  DEFAULT_DT_S,
  type DetectorParams,
  type DeviceClass,
  type DeviceCurve,
} from './core/constants.js';
export {
  deviceClassOf,
  resolveDeviceParams,
  type DeviceParams,
  type DeviceMap,
  type EngineOptions,
} from './core/device.js';
export {
  DeviceStream,
  SessionEngine,
  computeSession,
  type SampleInput,
  type DeviceSample,
  type MetricRow,
} from './core/engine.js';
export { expectedRle } from './core/efficiency.js';
export { SPEC_COLUMNS, PROVENANCE_COLUMNS } from './store/columns.js';
export {
  SessionCsvReader,
  type SessionRow,
  type SessionHeader,
  type ReadStats,
  type ReadOptions,
  type LineTally,
} from './store/csv-reader.js';
export { SessionCsvWriter, formatNumber, csvField } from './store/csv-writer.js';
export { parseTimestamp, type ParsedTime } from './store/timestamp.js';
export { replayCsv, type ReplayHandlers, type ReplayResult } from './replay/csv.js';
export { PROVENANCES, isReading, type Provenance } from './core/provenance.js';
export { SummaryBuilder, type SessionSummary, type DeviceSummary } from './analysis/summary.js';
export { RleError, type ErrorCode } from './errors.js';
