/**
 * A recorded session: the one component through which monitor, train, run and workload
 * record. It opens the sensors and every output before the session exists (a bad option or
 * no device leaves no empty session behind), creates the session, and feeds one tick stream
 * to its sinks — the store (required), the live summary, and on request the session CSV,
 * Prometheus and the terminal lines. A failing optional sink is reported once and dropped;
 * a failing store ends the session `failed` with a clear error.
 */
import { RleError } from '../errors.js';
import type { SessionSummary } from '../analysis/summary.js';
import { Sampler, type SamplerOptions, type TickReport } from '../sampler/sampler.js';
import type { PrometheusServer } from '../serve/prometheus-server.js';
import type { RleMetrics } from '../serve/prometheus-metrics.js';
import type { Listen } from '../serve/http.js';
import { CsvSink } from '../sinks/csv-sink.js';
import { PrometheusSink } from '../sinks/prometheus-sink.js';
import { SinkSet, type Sink, type SinkFailure } from '../sinks/sink.js';
import { StoreSink } from '../sinks/store-sink.js';
import { SummarySink } from '../sinks/summary-sink.js';
import { StatsLineSink, StatusLineSink } from '../sinks/terminal-sinks.js';
import { AtomicOutput } from '../store/files.js';
import { SessionStore, type EndStatus, type SessionStatus, type StepRecord, type StoreEvent } from '../store/session-store.js';
import { packageVersion } from '../version.js';

export interface RecorderOptions {
  readonly kind: string;
  readonly name: string | null;
  /** The session store's file. */
  readonly db: string;
  /** What to keep in the manifest besides what the recorder and sampler add. */
  readonly manifest: Record<string, unknown>;
  /** null: no sampling (`rle train --no-monitor`): the session holds steps and events only. */
  readonly sampling: SamplerOptions | null;
  /** Also write the session CSV here. */
  readonly csv?: string | null;
  /** Serve /metrics while recording. */
  readonly prometheus?: { readonly listen: Listen; readonly token: string | undefined } | null;
  /** Where the live status line goes (a terminal), or null for none. */
  readonly statusLine?: ((s: string) => void) | null;
  /** Seconds between summary lines on stderr (0: none). */
  readonly statsIntervalS?: number;
  /** Info lines: the session id, what is measured, where metrics are served, warnings. */
  readonly log: (line: string) => void;
}

export interface RecordingEnd {
  readonly status: SessionStatus;
  readonly summary: SessionSummary;
  /** What the summary cannot say (estimated power, no temperature…). */
  readonly notes: readonly string[];
}

/** Outputs opened before the session exists, closed again if anything after them fails. */
interface Outputs {
  csv: AtomicOutput | null;
  prom: { server: PrometheusServer; metrics: RleMetrics } | null;
}

async function openOutputs(o: RecorderOptions): Promise<Outputs> {
  const out: Outputs = { csv: null, prom: null };
  try {
    if (o.csv) out.csv = await AtomicOutput.open(o.csv);
    if (o.prometheus) {
      // prom-client is loaded only for recordings that serve metrics (~80 ms of start-up otherwise).
      const [{ RleMetrics }, { PrometheusServer }] = await Promise.all([import('../serve/prometheus-metrics.js'), import('../serve/prometheus-server.js')]);
      const metrics = new RleMetrics();
      out.prom = { metrics, server: await PrometheusServer.start(metrics, o.prometheus.listen, o.prometheus.token) };
    }
    return out;
  } catch (e) {
    await closeOutputs(out);
    throw e;
  }
}

async function closeOutputs(out: Outputs): Promise<void> {
  await out.csv?.abort();
  await out.prom?.server.close();
}

function hostOf(a: Listen): string {
  return a.host.includes(':') ? `[${a.host}]` : a.host;
}

export class Recorder {
  private readonly sinks: SinkSet;
  private readonly summary: SummarySink;
  private stopRequested: (() => void) | null = null;
  private readonly stopped: Promise<void>;
  private ending: Promise<RecordingEnd> | null = null;
  private readonly csv: CsvSink | null;

  private constructor(
    private readonly o: RecorderOptions,
    readonly id: string,
    private readonly store: StoreSink,
    private readonly sampler: Sampler | null,
    outputs: Outputs,
  ) {
    this.stopped = new Promise((r) => (this.stopRequested = r));
    this.summary = new SummarySink(o.sampling ? 1 / o.sampling.hz : 1);
    const sinks: Sink[] = [store, this.summary];
    this.csv = outputs.csv ? new CsvSink(outputs.csv) : null;
    if (this.csv) sinks.push(this.csv);
    if (outputs.prom) sinks.push(new PrometheusSink(outputs.prom.metrics, outputs.prom.server, id));
    if (o.statusLine) sinks.push(new StatusLineSink(o.statusLine));
    if (o.statsIntervalS && o.sampling) {
      sinks.push(new StatsLineSink((s) => process.stderr.write(s), `rle ${o.kind}: `, o.statsIntervalS, this.summary, !!o.statusLine));
    }
    this.sinks = new SinkSet(sinks, (f, required) => this.dropped(f, required));
  }

  /** Opens sensors and outputs, then creates the session. Throws before creating it on a bad option or no device. */
  static async start(o: RecorderOptions): Promise<Recorder> {
    const sampler = o.sampling ? await Sampler.open(o.sampling) : null;
    let outputs: Outputs | null = null;
    try {
      if (sampler && !sampler.hasDevices) {
        const which = o.sampling!.devices.length > 0 ? ` matching --devices ${o.sampling!.devices.join(',')}` : '';
        throw new RleError('E_SENSOR', `no device to monitor${which}: no utilization source found (see rle sensors)`);
      }
      outputs = await openOutputs(o);
      const db = SessionStore.open(o.db);
      const startedAt = sampler ? sampler.nowS() : Date.now() / 1000;
      const manifest = { ...o.manifest, tool: { name: 'rle', version: packageVersion() }, ...(sampler ? sampler.manifest() : { monitor: false }) };
      const id = db.createSession({ kind: o.kind, name: o.name, startedAt, manifest });
      const rec: Recorder = new Recorder(o, id, new StoreSink(db, id, (): number => rec.nowS()), sampler, outputs);
      rec.announce(outputs);
      return rec;
    } catch (e) {
      await sampler?.stop();
      if (outputs) await closeOutputs(outputs);
      throw e;
    }
  }

  private announce(outputs: Outputs): void {
    const log = this.o.log;
    log(`session ${this.id}${this.sampler ? '' : ' (not monitored: --no-monitor)'}`);
    for (const line of this.sampler?.capabilities ?? []) log(line);
    const a = outputs.prom?.server.address;
    if (a) log(`Prometheus metrics on http://${hostOf(a)}:${a.port}/metrics`);
  }

  private dropped(f: SinkFailure, required: boolean): void {
    if (required) {
      this.o.log(`error: ${f.sink} failed: ${f.message}; stopping`);
      this.stop();
    } else this.o.log(`warning: ${f.sink} output failed and was dropped (the session goes on): ${f.message}`);
  }

  /**
   * Why --csv could not be written (a full disk), or null: the session itself is whole in the
   * store; the command reports this once its summary is out and exits 1.
   */
  get outputFailure(): RleError | null {
    const f = this.csv?.failure;
    if (!f) return null;
    return new RleError(f.code, `${f.message}; the session ${this.id} is stored whole (rle export ${this.id} -o FILE writes its CSV)`, f.where);
  }

  /** The session clock, Unix s: the sampler's ticker while sampling. */
  nowS(): number {
    return this.sampler ? this.sampler.nowS() : Date.now() / 1000;
  }

  /** A sink of the caller's (a log line per tick, a workload's control loop). */
  addSink(s: Sink): void {
    this.sinks.add(s);
  }

  /** A training step, on the session clock. */
  step(s: StepRecord): Promise<void> {
    return this.sinks.step(s);
  }

  event(e: StoreEvent): Promise<void> {
    return this.sinks.event(e);
  }

  /** Merges keys into the session's manifest now (e.g. what the trainer found). */
  patchManifest(patch: Record<string, unknown>): void {
    this.store.patchManifest(patch);
  }

  /** Samples until the duration, stop(), or a failing store; without sampling, until stop(). */
  async run(): Promise<void> {
    if (!this.sampler) return this.stopped;
    const onError = (e: unknown, n: number): void => {
      // The first failure, then one line per 100, so a persistent one is seen but does not flood.
      if (n === 1 || n % 100 === 0) this.o.log(`warning: tick failed (${n} so far): ${(e as Error).message}`);
    };
    await this.sampler.run((r: TickReport) => this.sinks.write(r), onError);
  }

  /** Ends sampling (the tick in flight completes); run() then resolves. */
  stop(): void {
    this.stopRequested?.();
    void this.sampler?.stop();
  }

  /**
   * Stops sampling, closes every sink with the session's status and returns the summary.
   * Throws E_STORE (after closing everything) when the store failed during the session.
   */
  end(status: EndStatus): Promise<RecordingEnd> {
    this.ending ??= this.finish(status);
    return this.ending;
  }

  private async finish(want: EndStatus): Promise<RecordingEnd> {
    this.stop();
    await this.sampler?.stop();
    const failure = this.sinks.failure;
    const status: EndStatus = failure ? 'failed' : want;
    try {
      this.store.patchManifest({
        ...(this.sampler ? { probe: this.sampler.probeRecord() } : {}),
        outputs: { dropped: this.sinks.dropped },
      });
    } catch {
      // the store is what failed: its error is reported below
    }
    await this.sinks.close(status);
    const summary = { ...this.summary.result(this.id) };
    this.store.store.close();
    if (failure) {
      throw new RleError('E_STORE', `session ${this.id} failed: the session store could not be written (${failure.message}); what was committed before stays in ${this.o.db}`);
    }
    return { status, summary, notes: this.summary.notes() };
  }
}

/** What a library caller gives to record: everything else takes the CLI's defaults. */
export interface RecordOptions {
  /** Sampling rate, Hz (default 1, at most 50). */
  readonly hz?: number;
  /** Stop after this long, s (default: until stop()/end()). */
  readonly durationS?: number | null;
  /** The session store (default: $RLE_HOME/rle.db, else ~/.local/share/rle/rle.db). */
  readonly db?: string;
  readonly name?: string | null;
  readonly kind?: string;
  /** Devices or classes to record (default: all found). */
  readonly devices?: readonly string[];
  /** nvidia-smi executable, or null for no GPUs (default: nvidia-smi on PATH). */
  readonly nvidiaSmi?: string | null;
  readonly sysfsRoot?: string;
  readonly procfsRoot?: string;
  /** Info lines (session id, what is measured); default: none. */
  readonly log?: (line: string) => void;
}

/**
 * A monitored session for code that embeds rle (a Node training loop): start it, run() in the
 * background, push steps with step(), then end(). `hz` as the README names it.
 */
export async function startRecording(o: RecordOptions = {}): Promise<Recorder> {
  const hz = o.hz ?? 1;
  if (!(typeof hz === 'number' && hz > 0 && hz <= 50)) throw new RangeError(`rle: hz must be in (0, 50], got ${String(hz)}`);
  const { defaultDbPath } = await import('../store/session-store.js');
  return Recorder.start({
    kind: o.kind ?? 'library',
    name: o.name ?? null,
    db: o.db ?? defaultDbPath(),
    manifest: {},
    sampling: {
      hz,
      durationS: o.durationS ?? null,
      devices: o.devices ?? [],
      estimatePower: null,
      sensors: { sysfsRoot: o.sysfsRoot ?? '/sys', procfsRoot: o.procfsRoot ?? '/proc', nvidiaSmi: o.nvidiaSmi === undefined ? 'nvidia-smi' : o.nvidiaSmi, periodMs: 1000 / hz, now: () => performance.now() },
      disabledSources: [],
      engine: { dtS: 1 / hz },
    },
    log: o.log ?? (() => undefined),
  });
}
