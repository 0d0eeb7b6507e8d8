/**
 * The probe's main loop: sensors → per-device samples → engine → one TickReport per tick, on a
 * drift-free ticker. It stores nothing and prints nothing: every output is a sink fed by the
 * recorder (src/app/recorder.ts).
 *
 * The tick's path (sensor reads, samples, engine, sinks) runs ten times a second, too rarely for
 * V8 to optimize most of it: it runs as baseline code, where a `for…of` allocates an iterator
 * result per element, every allocated page is a fresh page fault, and every few kB a scavenge.
 * So the loops on that path are indexed, and its objects are made once where they can be.
 */
import os from 'node:os';
import type { EngineOptions } from '../core/device.js';
import { SessionEngine, type MetricRow } from '../core/engine.js';
import { CollapseEdges } from '../core/collapse-edges.js';
import { SessionThrottle, throttleDetail, userLimit } from '../analysis/throttle/from-sample.js';
import type { ThrottleSample } from '../analysis/throttle/types.js';
import { ratedPowerFromReadings } from '../sensors/nvidia-smi.js';
import { SensorSet, type SourceHealth, type SourceRecord } from '../sensors/registry.js';
import type { Reading, SensorContext } from '../sensors/types.js';
import type { SampleRecord, StoreEvent } from '../store/session-store.js';
import { sleep, systemClock, type Clock } from './clock.js';
import { buildSamples, capabilityLines, deviceSelected, sampledDevices, type DeviceSampleOptions } from './device-sample.js';
import { Ticker, type Tick } from './ticker.js';

/** Between the priming read and the capability read, ms. */
const SETTLE_MS = 100;

export interface SamplerOptions extends DeviceSampleOptions {
  readonly hz: number;
  readonly durationS: number | null;
  readonly sensors: SensorContext;
  readonly disabledSources: readonly string[];
  readonly engine: EngineOptions;
  readonly clock?: Clock;
}

export interface TickReport {
  readonly tick: Tick;
  readonly samples: readonly SampleRecord[];
  readonly metrics: readonly MetricRow[];
  readonly health: readonly SourceHealth[];
  /** Per sample: throttled (1), not (0) or cannot tell (null), with causes. */
  readonly throttle: readonly ThrottleSample[];
  /** Edges of this tick: `collapse_start`/`_end`, `throttle_start` (detail: causes)/`_end`. */
  readonly events: readonly StoreEvent[];
}

/** Where each device's temperature limit came from, for the manifest. */
export interface ResolvedLimit {
  readonly limit_c: number | null;
  readonly limit_source: string | null;
}

/**
 * Each device's temperature limit: the user's --limit (for the device or its class) wins;
 * else the device's own (hwmon temp*_crit/_max of the package sensor, a GPU's slowdown
 * temperature); else none — a class default is the metric's parameter, not a device's limit.
 */
function resolveLimits(first: readonly Reading[], user: Readonly<Record<string, number>> | undefined): Record<string, ResolvedLimit> {
  const out: Record<string, ResolvedLimit> = {};
  for (const r of first) {
    if (!r.primary || r.kind !== 'util') continue;
    const given = userLimit(r.device, user);
    const own = first.find((x) => x.id === `${r.device}.temp_limit` && x.status === 'ok');
    out[r.device] = given !== null ? { limit_c: given, limit_source: '--limit' } : own ? { limit_c: own.value, limit_source: `${own.source}${own.detail ? ` (${own.detail})` : ''}` } : { limit_c: null, limit_source: null };
  }
  return out;
}

export class Sampler {
  private ticker: Ticker | null = null;
  private readonly edges = new CollapseEdges();
  private readonly throttle: SessionThrottle;
  private readonly clock: Clock;
  /** Process CPU time when sampling started, for the probe's own cost. */
  private cpuAtStart: NodeJS.CpuUsage | null = null;
  ticks = 0;
  errors = 0;
  lastError: string | null = null;
  /** Devices a sample has been built for (a utilization reading starts one): whose readings are used. */
  private readonly sampled = new Set<string>();

  private constructor(
    private readonly o: SamplerOptions,
    private readonly sensors: SensorSet,
    /** "cpu: util measured (/proc/stat); temp unavailable (…)", one line per device. */
    readonly capabilities: readonly string[],
    private readonly firstReadings: readonly Reading[],
    /** The engine options in force: the user's, with GPU power limits as rated powers and devices' own temperature limits. */
    readonly engineOptions: EngineOptions,
    private readonly engine: SessionEngine,
    readonly limits: Readonly<Record<string, ResolvedLimit>>,
  ) {
    this.clock = o.clock ?? systemClock;
    this.throttle = new SessionThrottle(o.engine.limit);
    // Only readings of sampled devices reach a sink: a source with none of them (meminfo) is parked.
    for (const d of sampledDevices(firstReadings, o)) this.sampled.add(d);
    sensors.useOnly((r) => this.sampled.has(r.device) || (r.primary === true && r.kind === 'util' && deviceSelected(r.device, o.devices)));
  }

  /** Probes sensors and primes their counters; throws nothing for absent hardware. */
  static async open(o: SamplerOptions): Promise<Sampler> {
    const clock = o.clock ?? systemClock;
    const sensors = await SensorSet.open(o.sensors, o.disabledSources);
    const timeout = readTimeoutMs(o.hz);
    // Utilization and RAPL power are deltas: prime them, then read again after a short settle
    // so the capability line (and the manifest) shows what each sensor really delivers.
    await sensors.read(timeout);
    await sleep(clock, SETTLE_MS);
    const first = (await sensors.read(timeout)).readings;
    // A GPU's rated power defaults to its power limit, a device's temperature limit to its own; the user's flags win.
    const limits = resolveLimits(first, o.engine.limit);
    const own = Object.fromEntries(Object.entries(limits).flatMap(([d, l]) => (l.limit_c !== null && l.limit_source !== '--limit' ? [[d, l.limit_c]] : [])));
    const engineOptions: EngineOptions = { ...o.engine, rated: { ...ratedPowerFromReadings(first), ...o.engine.rated }, limit: { ...own, ...o.engine.limit } };
    return new Sampler(o, sensors, capabilityLines(first, o), first, engineOptions, new SessionEngine(engineOptions), limits);
  }

  /** Whether any device has a utilization source (without one nothing can be sampled). */
  get hasDevices(): boolean {
    return this.capabilities.length > 0;
  }

  /** What the session's manifest records about the host, the sensors and the sampling. */
  manifest(): Record<string, unknown> {
    const o = this.o;
    return {
      host: { hostname: os.hostname(), platform: os.platform(), release: os.release(), arch: os.arch(), cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? null },
      sensors: this.firstReadings.map((r) => ({ id: r.id, device: r.device, kind: r.kind, status: r.status, unit: r.unit, source: r.source, reason: r.reason })),
      capabilities: this.capabilities,
      engine: this.engineOptions,
      limits: this.limits,
      sampling: { hz: o.hz, duration_s: o.durationS, devices: o.devices, estimate_power: o.estimatePower },
    };
  }

  /** Now on the session clock (the ticker's, once sampling runs), Unix seconds. */
  nowS(): number {
    return this.ticker ? this.ticker.nowS() : this.clock.wallMs() / 1000;
  }

  /**
   * Samples until the duration is reached or stop() is called. `onTick` gets every tick; an
   * error it throws is counted (`errors`, `lastError`) and sampling goes on.
   */
  async run(onTick: (r: TickReport) => void | Promise<void>, onError?: (err: unknown, count: number) => void): Promise<void> {
    if (this.ticker) throw new Error('Sampler.run() called twice');
    this.cpuAtStart = process.cpuUsage();
    const periodMs = 1000 / this.o.hz;
    this.ticker = new Ticker({
      periodMs,
      offsetMs: periodMs,
      maxTicks: this.o.durationS === null ? undefined : Math.max(1, Math.round(this.o.durationS * this.o.hz)),
      clock: this.clock,
      onTick: async (t) => onTick(await this.tick(t)),
      onError: (e) => {
        this.errors++;
        this.lastError = (e as Error).message;
        onError?.(e, this.errors);
      },
    });
    if (this.stopped) return;
    this.ticker.start();
    await this.ticker.done;
  }

  private async tick(tick: Tick): Promise<TickReport> {
    const { readings, health } = await this.sensors.read(readTimeoutMs(this.o.hz));
    const t = tick.actualS;
    const { samples } = buildSamples(readings, t, tick.scheduledS, this.o);
    const metrics: MetricRow[] = new Array<MetricRow>(samples.length);
    const throttle: ThrottleSample[] = new Array<ThrottleSample>(samples.length);
    const events: StoreEvent[] = [];
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      this.sampled.add(s.device);
      const m = (metrics[i] = this.engine.push(s.device, s));
      const edge = this.edges.push(s.device, m.collapse);
      if (edge) events.push({ t, device: s.device, type: `collapse_${edge}`, detail: null });
      const th = this.throttle.push(s);
      throttle[i] = th.answer;
      if (th.edge) events.push({ t, device: s.device, type: `throttle_${th.edge}`, detail: th.edge === 'start' ? throttleDetail(th.answer) : null });
    }
    this.ticks++;
    return { tick, samples, metrics, throttle, health, events };
  }

  private stopped = false;
  private closing: Promise<void> | null = null;

  /** Stops the ticker (the tick in flight completes) and closes the sensors. Idempotent. */
  stop(): Promise<void> {
    this.stopped = true;
    this.closing ??= (async () => {
      await this.ticker?.stop();
      await this.sensors.close();
    })();
    return this.closing;
  }

  /** The probe's own record for the manifest: ticks, skips, errors, CPU, sensor health. */
  probeRecord(): { ticks: number; skipped_ticks: number; tick_errors: number; last_error: string | null; cpu_s: number | null; sources: SourceRecord[] } {
    const cpu = this.cpuAtStart ? process.cpuUsage(this.cpuAtStart) : null;
    return {
      ticks: this.ticks,
      skipped_ticks: this.ticker?.skipped ?? 0,
      tick_errors: this.errors,
      last_error: this.lastError,
      // The probe's own cost while sampling (all threads of this process), seconds.
      cpu_s: cpu ? (cpu.user + cpu.system) / 1e6 : null,
      sources: this.sensors.health(),
    };
  }
}

function readTimeoutMs(hz: number): number {
  return Math.min(Math.max(50, 0.8 * (1000 / hz)), 2000);
}
