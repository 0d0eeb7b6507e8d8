/**
 * rle's library API (this file is the whole of it): the metric engine; recording a monitored
 * session from your own code (startRecording → run() → step() → end()); reading the session
 * store; the report and its coupling, throttle and cost analysis; the training-line parser;
 * the session CSV reader/writer and the summary. Explicit names only.
 */
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
  checkEngineOptions,
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
export { startRecording, Recorder, type RecordOptions, type RecorderOptions, type RecordingEnd } from './app/recorder.js';
export { SessionStore, defaultDbPath, type SessionInfo, type SessionListing, type SampleRecord, type StepRecord, type StoreEvent, type StoredRow, type EndStatus } from './store/session-store.js';
export { StoredReplay, type ReplayedRow } from './replay/stored.js';
export { loadStoredSession, loadCsvSession, type SessionData, type DeviceSeries } from './replay/series.js';
export { buildReport, renderReport, writeReportFolder, type BuiltReport, type ReportOptions } from './app/report.js';
export { buildReportSummary, type ReportSummary } from './report/summary.js';
export { deviceCoupling, COUPLING_DEFAULTS, type CouplingOptions, type DeviceCoupling } from './analysis/coupling/coupling.js';
export { deviceThrottle, type DeviceThrottle, type ThrottleColumns } from './analysis/throttle/device.js';
export { throttleTax, type ThrottleTax } from './analysis/throttle-tax.js';
export { stepIntervals, stepEnergy, type StepInterval, type StepEnergy } from './analysis/step-cost.js';
export { parseMetricLine, type StepMetrics, type MetricFormat } from './capture/metric-lines.js';
export { readSteps, type ReadStepsOptions } from './ingest/read-steps.js';
export type { ImportedStep, ImportResult } from './ingest/types.js';
