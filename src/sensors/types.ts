/**
 * The sensor interface. One source per file (proc-stat, cpufreq, hwmon, thermal-zone, rapl,
 * meminfo, nvidia-smi), each behind probe → read → close, listed in ./registry.ts.
 *
 * Rules every source follows (see ../shared/STYLE.md, node_exporter):
 * - Every path is under ctx.sysfsRoot or ctx.procfsRoot, so tests run on fixture trees.
 * - "Not here" (file absent, permission denied) is status 'unavailable' with a reason; a broken
 *   read is 'error' with the message. Neither throws out of read(); only bugs throw.
 * - Units are converted once, at the edge: °C, W, J, MHz, bytes, %.
 * - Energy stays a counter; power is Δenergy/Δt between two reads, never a point sample.
 * - No child process per read (nvidia-smi is one long-lived streaming child).
 * - read() waits on nothing but ctx.readFile/readBytes: the set's deadline timer is armed when one of its
 *   files waits for the thread pool (a read that settles at once needs no timer).
 */

export type ReadingKind =
  | 'util' // %
  | 'temp' // °C
  | 'power' // W
  | 'energy' // J, cumulative counter since the source was opened
  | 'freq' // MHz
  | 'mem' // bytes (or % for kind 'util' of device 'mem')
  | 'fan' // %
  | 'throttle' // bitmask (names in `detail`) or a cumulative throttle counter
  | 'ratio' // dimensionless, e.g. current / maximum clock
  | 'info'; // text in `detail`, value null

export type ReadingStatus = 'ok' | 'unavailable' | 'error';

export interface Reading {
  /** Stable id, e.g. `cpu.util`, `cpu.core3.util`, `cpu.temp`, `hwmon.coretemp.temp2`, `gpu0.power`. */
  readonly id: string;
  /** Device stream the reading belongs to: `cpu`, `gpu0`, `gpu1`, `mem`. */
  readonly device: string;
  readonly kind: ReadingKind;
  readonly status: ReadingStatus;
  /** In the unit below; null unless status is 'ok' (and for 'info'). */
  readonly value: number | null;
  readonly unit: string;
  /** Path or command the value came from. */
  readonly source: string;
  /** Why it is unavailable or failed; null when ok. */
  readonly reason: string | null;
  /**
   * True for the reading that feeds the metric for its device and kind (util, temp, power).
   * Several sources may offer one (hwmon and a thermal zone for cpu.temp); the registry keeps
   * the first by source priority.
   */
  readonly primary?: boolean;
  /**
   * 'measured' for readings (the default); 'derived' for values computed from measured ones
   * (GPU energy integrated from sampled power.draw), with `detail` saying how.
   */
  readonly provenance?: 'measured' | 'derived';
  /** Human text: sensor label, GPU name, decoded throttle reasons. */
  readonly detail?: string;
}

/** Reads a whole file as UTF-8; errors carry their `code` (ENOENT, EACCES…) like fs.readFile's. */
export type ReadFile = (p: string) => Promise<string>;

/**
 * Reads a whole file as bytes, errors as ReadFile's. The bytes may be a view of a buffer the
 * reader reuses: valid until the next read of the same file, so parse them at once.
 */
export type ReadBytes = (p: string) => Promise<Uint8Array>;

export interface SensorContext {
  /** Default `/sys`. */
  readonly sysfsRoot: string;
  /** Default `/proc`. */
  readonly procfsRoot: string;
  /** nvidia-smi executable (path or name on PATH); null disables NVIDIA GPUs. */
  readonly nvidiaSmi: string | null;
  /** Sampling period, ms (nvidia-smi streams at this period). */
  readonly periodMs: number;
  /** Monotonic clock, ms (for Δt between reads). */
  readonly now: () => number;
  /**
   * How sources read sysfs/procfs files. A SensorSet passes its own kept-open handles (see
   * ./file-handles.ts); tests pass synchronous or failing readers. Default: fs.promises.readFile.
   */
  readonly readFile?: ReadFile;
  /** The same reads as bytes, for files parsed byte by byte every tick (/proc/stat). Default: readFile's text. */
  readonly readBytes?: ReadBytes;
}

export interface SensorSource {
  /** Source name, e.g. `hwmon`; also its id in the registry and in `--disable-sensor`. */
  readonly name: string;
  /** Discover what exists. Never throws for absent hardware: read() then reports unavailable. */
  probe(): Promise<void>;
  /** Current readings. Never throws for absent or denied sensors. */
  read(): Promise<Reading[]>;
  /** Release files, children, timers. */
  close(): Promise<void>;
}

export type SensorFactory = (ctx: SensorContext) => SensorSource;

type Base = Omit<Reading, 'status' | 'value' | 'reason'>;

/**
 * Every reading is built here with the same fields in the same order, so all readings share
 * one object shape: spreading bases of different shapes ({ ...base, status }) went through
 * V8's slow generic copy, and building readings was the largest cost of a tick.
 */
function reading(b: Base, status: ReadingStatus, value: number | null, reason: string | null, provenance: Reading['provenance']): Reading {
  return { id: b.id, device: b.device, kind: b.kind, status, value, unit: b.unit, source: b.source, reason, primary: b.primary, provenance, detail: b.detail };
}

/** A reading that is unavailable, with its reason. */
export function unavailable(base: Base, reason: string): Reading {
  return reading(base, 'unavailable', null, reason, base.provenance);
}

/** A reading that failed, with the error message. */
export function failed(base: Base, reason: string): Reading {
  return reading(base, 'error', null, reason, base.provenance);
}

/** A measured value. */
export function ok(base: Base, value: number): Reading {
  return reading(base, 'ok', value, null, base.provenance ?? 'measured');
}

/** A source for people: a streaming command is shown by its executable only. */
export function shortSource(source: string): string {
  const i = source.indexOf(' --query-gpu=');
  return i < 0 ? source : `${source.slice(0, i)} (streaming)`;
}
