/**
 * A recorded session as the CLI runs it: the monitor options shared by `rle monitor` and
 * `rle run`, and the set-up around a Monitor (store, capability lines, --csv, status and
 * stats lines) and its orderly end.
 */
import { Command, InvalidArgumentError } from 'commander';
import { performance } from 'node:perf_hooks';
import { RATED_POWER_W } from '../core/constants.js';
import { RleError } from '../errors.js';
import { Monitor, type TickReport } from '../sampler/sampler.js';
import { SOURCE_NAMES } from '../sensors/registry.js';
import { SessionCsvWriter } from '../store/csv-writer.js';
import { AtomicOutput } from '../store/files.js';
import type { SessionStatus, SessionStore } from '../store/session-store.js';
import type { SessionSummary } from '../analysis/summary.js';
import { addEngineOptions, anyNumber, engineOptionsFrom, nonNegative, type EngineFlags } from '../cli/options.js';
import { fmt } from '../cli/output.js';
import { addStoreOption, openStore, type StoreFlags } from '../cli/store-options.js';
import { RleMetrics } from '../serve/prometheus-metrics.js';
import { PrometheusServer } from '../serve/prometheus-server.js';
import { parseListen } from '../serve/http.js';
import { packageVersion } from '../cli/version.js';

export interface RecordingFlags extends EngineFlags, StoreFlags {
  devices: string[];
  name?: string;
  modelName?: string;
  trainingMode?: string;
  notes?: string;
  ambientTemp?: number;
  estimatePower?: boolean;
  idlePower: number;
  csv?: string;
  sysfsRoot: string;
  procfsRoot: string;
  nvidiaSmi: string;
  disableSensor: string[];
  statsInterval: number;
  json?: boolean;
  prometheus?: string;
  token?: string;
}

/** Sampling above this rate measures the probe more than the machine (Hz). */
const MAX_HZ = 50;

function list(raw: string, prev: string[] = []): string[] {
  return [...prev, ...raw.split(',').map((s) => s.trim()).filter(Boolean)];
}

function sensorName(raw: string, prev: string[] = []): string[] {
  if (!SOURCE_NAMES.includes(raw)) throw new InvalidArgumentError(`unknown sensor source; one of ${SOURCE_NAMES.join(', ')}.`);
  return [...prev, raw];
}

export function addRecordingOptions(cmd: Command): Command {
  cmd
    .option('--devices <list>', 'devices or classes to record, e.g. cpu,gpu (default: all found)', list, [])
    .option('--name <name>', 'session name')
    .option('--model-name <name>', 'metadata: model being trained')
    .option('--training-mode <mode>', 'metadata: e.g. fine-tune, pretrain, inference')
    .option('--notes <text>', 'metadata: free text')
    .option('--ambient-temp <c>', 'metadata: ambient temperature, °C', anyNumber)
    .option('--estimate-power', 'fill a missing CPU power with idle + (rated − idle) × util, marked estimated')
    .option('--idle-power <w>', 'idle CPU power for --estimate-power, W (a guess: measure yours)', nonNegative, 10)
    .option('--csv <file>', 'also write the session CSV (renamed into place when the run ends)')
    .option('--sysfs-root <dir>', 'root of sysfs', '/sys')
    .option('--procfs-root <dir>', 'root of procfs', '/proc')
    .option('--nvidia-smi <path>', 'nvidia-smi executable, or none', 'nvidia-smi')
    .option('--disable-sensor <source>', `skip a sensor source (${SOURCE_NAMES.join(', ')}); repeatable`, sensorName, [])
    .option('--stats-interval <s>', 'print a summary line every S seconds (0: never)', nonNegative, 60)
    .option('--prometheus <[host:]port>', 'serve /metrics (Prometheus/OpenMetrics text) while recording; host defaults to 127.0.0.1')
    .option('--token <token>', 'required on every request when serving beyond loopback (default $RLE_TOKEN)');
  addEngineOptions(cmd);
  addStoreOption(cmd);
  return cmd;
}

function statusLine(r: TickReport): string {
  const parts = r.samples.map((s, i) => {
    const m = r.metrics[i]!;
    const temp = s.temp_c === null ? 'n/a' : `${fmt(s.temp_c)}°C`;
    const power = s.power_w === null ? 'n/a' : `${fmt(s.power_w)}W${s.power_src === 'estimated' ? '(est)' : ''}`;
    return `${s.device} ${fmt(s.util_pct)}% ${temp} ${power} rle ${fmt(m.rle_smoothed)}${m.collapse ? ' COLLAPSE' : ''}`;
  });
  return `[${new Date(r.tick.actualS * 1000).toISOString().slice(11, 19)}] ${parts.join(' | ')}`;
}

export interface RecordingOptions {
  readonly kind: string;
  readonly durationS: number | null;
  /** Where the session id and capability lines go. */
  readonly info: (line: string) => void;
  /** Show the live status line (only on a terminal). */
  readonly statusLine: boolean;
  readonly manifest?: Record<string, unknown>;
}

/** An open recorded session: its monitor (call run()), its store, and its end. */
export class Recording {
  private csv: AtomicOutput | null = null;
  private csvWriter: SessionCsvWriter | null = null;
  private prom: PrometheusServer | null = null;
  /** The Prometheus metrics of this recording, when --prometheus was given. */
  metrics: RleMetrics | null = null;

  private constructor(
    readonly mon: Monitor,
    readonly store: SessionStore,
    private readonly o: RecordingOptions,
  ) {}

  static async start(flags: RecordingFlags, o: RecordingOptions): Promise<Recording> {
    if (flags.hz > MAX_HZ) throw new RleError('E_OPTION', `--hz ${flags.hz}: at most ${MAX_HZ} Hz`);
    const store = openStore(flags);
    const mon = new Monitor({
      hz: flags.hz,
      durationS: o.durationS,
      devices: flags.devices,
      estimatePower: flags.estimatePower ? { idleW: flags.idlePower, ratedW: flags.rated?.cpu ?? RATED_POWER_W.cpu } : null,
      sensors: {
        sysfsRoot: flags.sysfsRoot,
        procfsRoot: flags.procfsRoot,
        nvidiaSmi: flags.nvidiaSmi === 'none' ? null : flags.nvidiaSmi,
        periodMs: 1000 / flags.hz,
        now: () => performance.now(),
      },
      disabledSources: flags.disableSensor,
      engine: engineOptionsFrom(flags),
      store,
      // The first failure, then one line per 100, so a persistent one is seen but does not flood.
      onError: (e, n) => {
        if (n === 1 || n % 100 === 0) process.stderr.write(`\nrle ${o.kind}: warning: tick failed (${n} so far): ${(e as Error).message}\n`);
      },
      kind: o.kind,
      name: flags.name ?? null,
      manifest: {
        ...o.manifest,
        tool: { name: 'rle', version: packageVersion() },
        user: {
          model_name: flags.modelName ?? null,
          training_mode: flags.trainingMode ?? null,
          notes: flags.notes ?? null,
          ambient_temp_c: flags.ambientTemp ?? null,
        },
        roots: { sysfs: flags.sysfsRoot, procfs: flags.procfsRoot, nvidia_smi: flags.nvidiaSmi },
      },
    });
    const rec = new Recording(mon, store, o);
    try {
      await rec.open(flags);
    } catch (e) {
      await rec.end('failed').catch(() => undefined);
      throw e;
    }
    return rec;
  }

  private async open(flags: RecordingFlags): Promise<void> {
    const { mon, o } = this;
    const id = await mon.open();
    if (mon.capabilities.length === 0) {
      const which = flags.devices.length > 0 ? ` matching --devices ${flags.devices.join(',')}` : '';
      throw new RleError('E_SENSOR', `no device to monitor${which}: no utilization source found (see rle sensors)`);
    }
    o.info(`session ${id}`);
    for (const line of mon.capabilities) o.info(line);
    if (flags.prometheus !== undefined) {
      const metrics = (this.metrics = new RleMetrics());
      this.prom = await PrometheusServer.start(metrics, parseListen(flags.prometheus, '--prometheus'), flags.token ?? process.env.RLE_TOKEN);
      o.info(`Prometheus metrics on http://${this.prom.address.host.includes(':') ? `[${this.prom.address.host}]` : this.prom.address.host}:${this.prom.address.port}/metrics`);
      mon.onTick((r) => {
        r.samples.forEach((sample, i) => metrics.observe(id, sample, r.metrics[i]!));
        metrics.health(id, r.health);
      });
    }
    if (flags.csv) {
      const csv = (this.csv = await AtomicOutput.open(flags.csv));
      // The extra columns are the readings of the first tick (a reading that appears later is
      // in the store and in `rle export`, not in this stream).
      mon.onTick((r) => {
        this.csvWriter ??= this.startCsv(r);
        const w = this.csvWriter;
        let s = '';
        r.samples.forEach((sample, i) => (s += w.storedLine({ sample, metric: r.metrics[i]! })));
        csv.stream.write(s);
      });
    }
    if (o.statusLine) mon.onTick((r) => void process.stderr.write(`\r\x1b[K${statusLine(r)}`));
    let lastStats = performance.now();
    mon.onTick(() => {
      if (flags.statsInterval > 0 && performance.now() - lastStats >= flags.statsInterval * 1000) {
        lastStats = performance.now();
        const s = mon.summary.result('', 0, 0);
        const line = Object.entries(s.devices)
          .map(([d, x]) => `${d}: ${x.samples} samples, rle_smoothed mean ${fmt(x.rle_smoothed.mean)}, ${x.collapse_events} collapse events`)
          .join(' | ');
        process.stderr.write(`${o.statusLine ? '\r\x1b[K' : ''}rle ${o.kind}: ${line}\n`);
      }
    });
  }

  private startCsv(r: TickReport): SessionCsvWriter {
    const w = new SessionCsvWriter([...new Set(r.samples.flatMap((x) => Object.keys(x.extra ?? {})))]);
    this.csv!.stream.write(w.headerLine());
    return w;
  }

  /** Stops sampling, records the status, completes --csv; returns the live summary. */
  async end(status: Exclude<SessionStatus, 'running'>): Promise<{ status: SessionStatus; summary: SessionSummary }> {
    try {
      await this.mon.stop(status);
      await this.prom?.close();
      if (this.o.statusLine) process.stderr.write('\n');
      if (this.csv) {
        if (status === 'failed' && !this.csvWriter) await this.csv.abort();
        else {
          if (!this.csvWriter) this.csv.stream.write(new SessionCsvWriter().headerLine()); // stopped before the first tick
          await this.csv.commit();
        }
      }
      const partial = this.mon.summary.result(this.mon.sessionId, 0, 0);
      const rows = Object.values(partial.devices).reduce((n, d) => n + d.samples, 0);
      const final = this.mon.sessionId ? this.store.get(this.mon.sessionId).status : status;
      return { status: final, summary: { ...partial, rows } };
    } finally {
      this.store.close();
    }
  }
}
