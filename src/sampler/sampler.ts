/**
 * The probe's main loop: sensors → per-device samples → engine → store (and sinks), on a
 * drift-free ticker. Used by `rle monitor` and by every command that records a session.
 */
import os from 'node:os';
import type { EngineOptions } from '../core/device.js';
import { SessionEngine, type MetricRow } from '../core/engine.js';
import { SummaryBuilder } from '../analysis/summary.js';
import { SensorSet, type SourceHealth } from '../sensors/registry.js';
import type { SensorContext } from '../sensors/types.js';
import { Ticker, type Tick } from './ticker.js';
import type { SessionStore, SampleRecord, StoredRow, StoreEvent } from '../store/session-store.js';
import { buildSamples, capabilityLines, type DeviceSampleOptions } from './device-sample.js';
import { ratedPowerFromReadings } from '../sensors/nvidia-smi.js';

/** Between the priming read and the capability read, ms. */
const SETTLE_MS = 100;
/**
 * Ticks are committed together at most this long apart, ms: at 10 Hz that is one transaction
 * per 5 ticks instead of one per tick, and `kill -9` still loses well under a second.
 */
const COMMIT_INTERVAL_MS = 500;

export interface MonitorOptions extends DeviceSampleOptions {
  readonly hz: number;
  readonly durationS: number | null;
  readonly sensors: SensorContext;
  readonly disabledSources: readonly string[];
  readonly engine: EngineOptions;
  readonly store: SessionStore;
  readonly kind: string;
  readonly name: string | null;
  /** Everything to keep in the session manifest besides what the monitor adds. */
  readonly manifest: Record<string, unknown>;
  /** A tick failed (the ticker goes on); `count` errors so far. */
  readonly onError?: (err: unknown, count: number) => void;
}

export interface TickReport {
  readonly tick: Tick;
  readonly samples: readonly SampleRecord[];
  readonly metrics: readonly MetricRow[];
  readonly health: readonly SourceHealth[];
}

/** A sink gets every tick after it is stored (CSV stream, status line, exporters). */
export type TickListener = (r: TickReport) => void | Promise<void>;

export class Monitor {
  sessionId = '';
  capabilities: string[] = [];
  readonly summary: SummaryBuilder;
  private sensors: SensorSet | null = null;
  private ticker: Ticker | null = null;
  private engine: SessionEngine | null = null;
  private readonly listeners: TickListener[] = [];
  private readonly inCollapse = new Map<string, boolean>();
  private pendingRows: StoredRow[] = [];
  private pendingEvents: StoreEvent[] = [];
  private lastCommit = 0;
  ticks = 0;
  errors = 0;
  lastError: string | null = null;

  constructor(private readonly o: MonitorOptions) {
    this.summary = new SummaryBuilder(1 / o.hz);
  }

  onTick(l: TickListener): void {
    this.listeners.push(l);
  }

  /** Probes sensors, primes counters, creates the session. Returns the session id. */
  async open(): Promise<string> {
    this.sensors = await SensorSet.open(this.o.sensors, this.o.disabledSources);
    // Utilization and RAPL power are deltas: prime them, then read again after a short settle
    // so the capability line (and the manifest) shows what each sensor really delivers.
    await this.sensors.read(this.readTimeoutMs());
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const firstReadings = (await this.sensors.read(this.readTimeoutMs())).readings;
    this.capabilities = capabilityLines(firstReadings, this.o);
    // A GPU's rated power defaults to its power limit; the user's --rated wins.
    const rated = { ...ratedPowerFromReadings(firstReadings), ...this.o.engine.rated };
    const engineOptions: EngineOptions = { ...this.o.engine, rated };
    this.engine = new SessionEngine(engineOptions);
    const startedAt = Date.now() / 1000;
    this.sessionId = this.o.store.createSession({
      kind: this.o.kind,
      name: this.o.name,
      startedAt,
      manifest: {
        ...this.o.manifest,
        host: { hostname: os.hostname(), platform: os.platform(), release: os.release(), arch: os.arch(), cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? null },
        sensors: firstReadings.map((r) => ({ id: r.id, device: r.device, kind: r.kind, status: r.status, unit: r.unit, source: r.source, reason: r.reason })),
        capabilities: this.capabilities,
        engine: engineOptions,
        sampling: { hz: this.o.hz, duration_s: this.o.durationS, devices: this.o.devices, estimate_power: this.o.estimatePower },
      },
    });
    return this.sessionId;
  }

  /** Now on the session clock (the ticker's, once sampling runs), Unix seconds. */
  nowS(): number {
    return this.ticker ? this.ticker.nowS() : Date.now() / 1000;
  }

  private readTimeoutMs(): number {
    return Math.min(Math.max(50, 0.8 * (1000 / this.o.hz)), 2000);
  }

  /** Process CPU time when sampling started (µs), for the probe's own cost in the manifest. */
  private cpuAtStart: NodeJS.CpuUsage | null = null;

  /** Runs until the duration is reached or stop() is called. */
  async run(): Promise<void> {
    this.cpuAtStart = process.cpuUsage();
    const periodMs = 1000 / this.o.hz;
    this.ticker = new Ticker({
      periodMs,
      offsetMs: periodMs,
      maxTicks: this.o.durationS === null ? undefined : Math.max(1, Math.round(this.o.durationS * this.o.hz)),
      onTick: (t) => this.tick(t),
      onError: (e) => {
        this.errors++;
        this.lastError = (e as Error).message;
        this.o.onError?.(e, this.errors);
      },
    });
    this.ticker.start();
    await this.ticker.done;
  }

  private async tick(tick: Tick): Promise<void> {
    const { readings, health } = await this.sensors!.read(this.readTimeoutMs());
    const t = tick.actualS;
    const { samples } = buildSamples(readings, t, tick.scheduledS, this.o);
    const metrics: MetricRow[] = [];
    const events: StoreEvent[] = [];
    for (const s of samples) {
      const m = this.engine!.push(s.device, s);
      // An estimate fed to the engine is still an estimate.
      metrics.push(s.power_src === 'estimated' ? { ...m, power_source: 'estimated' } : m);
      const was = this.inCollapse.get(s.device) ?? false;
      if (m.collapse === 1 && !was) events.push({ t, device: s.device, type: 'collapse_start', detail: null });
      if (m.collapse === 0 && was) events.push({ t, device: s.device, type: 'collapse_end', detail: null });
      this.inCollapse.set(s.device, m.collapse === 1);
      this.summary.add(s.device, t, s.util_pct, s.temp_c, s.power_src === 'measured' ? s.power_w : null, metrics.at(-1)!);
    }
    samples.forEach((sample, i) => this.pendingRows.push({ sample, metric: metrics[i]! }));
    this.pendingEvents.push(...events);
    if ((tick.actualS - this.lastCommit) * 1000 >= COMMIT_INTERVAL_MS - 1) this.commit(tick.actualS);
    this.ticks++;
    const report: TickReport = { tick, samples, metrics, health };
    for (const l of this.listeners) await l(report);
  }

  private commit(nowS: number): void {
    this.lastCommit = nowS;
    if (this.pendingRows.length === 0 && this.pendingEvents.length === 0) return;
    const rows = this.pendingRows;
    const events = this.pendingEvents;
    this.pendingRows = [];
    this.pendingEvents = [];
    this.o.store.append(this.sessionId, rows, events);
  }

  private stopping: Promise<void> | null = null;

  /**
   * Stops the ticker (the tick in flight completes), closes sensors, records the end. Safe to
   * call more than once (Ctrl-C and the end of run() both do): the first call decides.
   */
  stop(status: 'completed' | 'interrupted' | 'failed' = 'completed'): Promise<void> {
    this.stopping ??= this.doStop(status);
    return this.stopping;
  }

  private async doStop(status: 'completed' | 'interrupted' | 'failed'): Promise<void> {
    await this.ticker?.stop();
    await this.sensors?.close();
    if (this.sessionId) {
      this.commit(this.ticker ? this.ticker.nowS() : Date.now() / 1000);
      const manifest = this.o.store.get(this.sessionId).manifest;
      const cpu = this.cpuAtStart ? process.cpuUsage(this.cpuAtStart) : null;
      this.o.store.updateManifest(this.sessionId, {
        ...manifest,
        probe: {
          ticks: this.ticks,
          skipped_ticks: this.ticker?.skipped ?? 0,
          tick_errors: this.errors,
          last_error: this.lastError,
          // The probe's own cost while sampling (all threads of this process), seconds.
          cpu_s: cpu ? (cpu.user + cpu.system) / 1e6 : null,
        },
      });
      this.o.store.finish(this.sessionId, status, this.ticker ? this.ticker.nowS() : Date.now() / 1000);
    }
  }
}
