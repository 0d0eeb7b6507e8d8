/**
 * rle's numbers as Prometheus/OpenMetrics metrics (prom-client, on a registry of our own):
 * per device gauges of the readings and the metric, counters of collapse samples and events
 * and of measured energy, training gauges when steps arrive, and per sensor source its `up`
 * and read duration. Labels: host, device, session (and sensor). Units are in the names.
 */
import os from 'node:os';
import { Counter, Gauge, Registry } from 'prom-client';
import type { MetricRow } from '../core/engine.js';
import { isReading } from '../core/provenance.js';
import { CAUSES, type ThrottleSample } from '../analysis/throttle/types.js';
import type { SourceHealth } from '../sensors/registry.js';
import type { SampleRecord, StepRecord, StoreEvent } from '../store/session-store.js';

const DEVICE = ['host', 'device', 'session'] as const;

export class RleMetrics {
  readonly registry = new Registry();
  private readonly host = os.hostname();
  private readonly g: Record<string, Gauge<(typeof DEVICE)[number]>>;
  private readonly collapseSamples: Counter<(typeof DEVICE)[number]>;
  private readonly collapseEvents: Counter<(typeof DEVICE)[number]>;
  private readonly energy: Counter<(typeof DEVICE)[number]>;
  private readonly throttled: Gauge<(typeof DEVICE)[number] | 'cause'>;
  private readonly throttledSeconds: Counter<(typeof DEVICE)[number]>;
  private readonly train: Record<'step' | 'loss' | 'grad_norm' | 'learning_rate' | 'step_duration', Gauge<'host' | 'session'>>;
  private readonly sensorUp: Gauge<'host' | 'session' | 'sensor'>;
  private readonly sensorDuration: Gauge<'host' | 'session' | 'sensor'>;
  /** Per device: last sample time and energy counter value (J). */
  private readonly last = new Map<string, { t: number; energy: number | null }>();

  constructor() {
    const r = [this.registry];
    const gauge = (name: string, help: string): Gauge<(typeof DEVICE)[number]> => new Gauge({ name, help, labelNames: DEVICE, registers: r });
    this.g = {
      util: gauge('rle_device_utilization_percent', 'Device utilization, percent (measured)'),
      temp: gauge('rle_device_temperature_celsius', 'Device temperature, °C (a reading; absent when unavailable or not a reading)'),
      power: gauge('rle_device_power_watts', 'Device power, W (as sampled; rle_device_power_estimated says whether it is a reading; absent when unavailable)'),
      powerEstimated: gauge('rle_device_power_estimated', '1 when the metric used power that is not a reading (estimated from utilization, or a constant), else 0'),
      rleRaw: gauge('rle_raw', 'RLE, raw (no unit)'),
      rleSmoothed: gauge('rle_smoothed', 'RLE, smoothed over the window (no unit)'),
      rleNorm: gauge('rle_norm', 'rle_smoothed divided by the expected RLE of the device class at this utilization, clamped to 0–1'),
      eTh: gauge('rle_thermal_efficiency', 'E_th: thermal term, stability / (1 + 1/t_sustain_s), 0–1; absent for a sample without a temperature reading (t_sustain_s then sits at its cap and E_th would be only the utilization stability)'),
      ePw: gauge('rle_power_efficiency', 'E_pw: power term, utilization / a_load (no unit; above 1 when power is below rated × utilization)'),
      aLoad: gauge('rle_load_factor', 'a_load: power / rated power'),
      tSustain: gauge('rle_sustain_time_seconds', 't_sustain_s: time to the temperature limit at the current slope, s (capped); absent without a temperature reading (it would sit at its cap)'),
      collapse: gauge('rle_collapse', '1 while the device is in an efficiency collapse, else 0'),
    };
    this.collapseSamples = new Counter({ name: 'rle_collapse_samples_total', help: 'Samples flagged as collapse', labelNames: DEVICE, registers: r });
    this.collapseEvents = new Counter({ name: 'rle_collapse_events_total', help: 'Collapse events (runs of collapse samples) started', labelNames: DEVICE, registers: r });
    this.energy = new Counter({ name: 'rle_device_energy_joules_total', help: "Energy, J, from the device's energy counter: RAPL's for a CPU (measured), the GPU source's integral of measured power.draw (derived); absent without one (never integrated from an estimate)", labelNames: DEVICE, registers: r });
    this.throttled = new Gauge({ name: 'rle_throttled', help: '1 while the device is throttled for this cause (thermal, power, hardware, other), else 0; absent while rle cannot tell (no throttle evidence)', labelNames: [...DEVICE, 'cause'], registers: r });
    this.throttledSeconds = new Counter({ name: 'rle_throttled_seconds_total', help: 'Seconds the device was judged throttled (any cause); absent for a device that gave no throttle evidence', labelNames: DEVICE, registers: r });
    const tg = (name: string, help: string): Gauge<'host' | 'session'> => new Gauge({ name, help, labelNames: ['host', 'session'], registers: r });
    this.train = {
      step: tg('rle_training_step', 'Last training step seen'),
      loss: tg('rle_training_loss', 'Training loss of the last step'),
      grad_norm: tg('rle_training_grad_norm', 'Gradient norm (pre-clip) of the last step'),
      learning_rate: tg('rle_training_learning_rate', 'Learning rate of the last step'),
      step_duration: tg('rle_training_step_duration_seconds', 'Wall time of the last step, s (its own start to its end; absent when the start is unknown)'),
    };
    this.sensorUp = new Gauge({ name: 'rle_sensor_up', help: '1 when the sensor source read without error at the last tick (absent hardware is up; a dead nvidia-smi or a failing file is down)', labelNames: ['host', 'session', 'sensor'], registers: r });
    this.sensorDuration = new Gauge({ name: 'rle_sensor_read_duration_seconds', help: 'Time the sensor source took at the last tick, s', labelNames: ['host', 'session', 'sensor'], registers: r });
  }

  /**
   * One device's sample and its metric row; `events` are the tick's events (a collapse_start
   * of this device counts one collapse event: the sampler finds edges, once).
   */
  observe(session: string, s: SampleRecord, m: Pick<MetricRow, 'rle_raw' | 'rle_smoothed' | 'rle_norm' | 'E_th' | 'E_pw' | 'a_load' | 't_sustain_s' | 'collapse' | 'power_source'>, events: readonly StoreEvent[], th: Pick<ThrottleSample, 'throttled' | 'causes'> | null = null): void {
    const l = { host: this.host, device: s.device, session };
    const set = (k: string, v: number | null): void => {
      if (v === null || !Number.isFinite(v)) this.g[k]!.remove(l); // missing is absent, never 0
      else this.g[k]!.set(l, v);
    };
    set('util', s.util_pct);
    // A temperature that is not a reading (a constant a tool wrote) is absent, like none.
    const hasTemp = isReading(s.temp_src) && s.temp_c !== null;
    set('temp', hasTemp ? s.temp_c : null);
    set('power', s.power_w);
    set('powerEstimated', isReading(m.power_source) ? 0 : 1);
    set('rleRaw', m.rle_raw);
    set('rleSmoothed', m.rle_smoothed);
    set('rleNorm', m.rle_norm);
    // Without a temperature reading E_th is the utilization's stability alone: not a thermal figure.
    set('eTh', hasTemp ? m.E_th : null);
    set('ePw', m.E_pw);
    set('aLoad', m.a_load);
    set('tSustain', hasTemp ? m.t_sustain_s : null); // without a temperature it sits at its cap: not a measurement
    set('collapse', m.collapse);
    const key = `${session}\u0000${s.device}`;
    const prev = this.last.get(key);
    this.collapseSamples.inc(l, m.collapse);
    // inc by 0 too: the series exists from the start (rate() needs it)
    this.collapseEvents.inc(l, events.some((e) => e.device === s.device && e.type === 'collapse_start') ? 1 : 0);
    // energy: the counter's advance since the previous sample; no counter, no series (no energy is not 0 J)
    const e = s.extra?.[`${s.device}.energy`];
    const energy = typeof e === 'number' && Number.isFinite(e) ? e : null;
    if (energy !== null) this.energy.inc(l, prev && prev.energy !== null && energy >= prev.energy ? energy - prev.energy : 0);
    this.throttle(l, th, prev ? s.t - prev.t : 0);
    this.last.set(key, { t: s.t, energy });
  }

  /** The throttle gauges of one device; a device that cannot tell has none (absent, not 0). */
  private throttle(l: { host: string; device: string; session: string }, th: Pick<ThrottleSample, 'throttled' | 'causes'> | null, dtS: number): void {
    if (!th || th.throttled === null) {
      for (const cause of CAUSES) this.throttled.remove({ ...l, cause });
      return;
    }
    for (const cause of CAUSES) this.throttled.set({ ...l, cause }, th.throttled === 1 && th.causes.includes(cause) ? 1 : 0);
    this.throttledSeconds.inc(l, th.throttled === 1 && dtS > 0 ? dtS : 0);
  }

  step(session: string, st: StepRecord): void {
    const l = { host: this.host, session };
    this.train.step.set(l, st.step);
    const duration = st.t_start !== null && st.t_start !== undefined ? st.t - st.t_start : null;
    for (const [k, v] of [['loss', st.loss], ['grad_norm', st.grad_norm], ['learning_rate', st.learning_rate], ['step_duration', duration]] as const) {
      if (v === null || !Number.isFinite(v)) this.train[k].remove(l);
      else this.train[k].set(l, v);
    }
  }

  health(session: string, h: readonly SourceHealth[]): void {
    for (const x of h) {
      const l = { host: this.host, session, sensor: x.name };
      this.sensorUp.set(l, x.up ? 1 : 0);
      this.sensorDuration.set(l, x.durationMs / 1000);
    }
  }

  async text(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
