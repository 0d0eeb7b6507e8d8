/**
 * A fake Linux machine for tests: a sysfs/procfs tree written from scratch and advanced in
 * place (same inodes, as the kernel regenerates its files), with the readings a state asks for:
 * CPU utilization (/proc/stat jiffies), package temperature (coretemp, with its crit limit),
 * RAPL energy, core clocks (cpufreq) and Intel thermal_throttle counters.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SensorContext } from '../src/sensors/types.js';
import { tmpDir } from './helpers.js';

export interface MachineState {
  /** CPU utilization over the next interval, %. */
  util: number;
  /** Package temperature, °C (null: no hwmon sensor). */
  tempC: number | null;
  /** Package power over the next interval, W (null: no RAPL). */
  powerW: number | null;
  /** Core clock, MHz (null: no cpufreq). */
  freqMHz: number | null;
  /**
   * Thermal throttle events during the next interval (Intel counters; null: no counters). While
   * it is > 0 the CPUs are throttling: package_throttle_total_time_ms grows with the time too.
   */
  throttleEvents: number | null;
}

export interface MachineOptions {
  cores?: number;
  /** Package temperature limit (temp1_crit), °C. */
  critC?: number;
  maxFreqMHz?: number;
  /** Offer each sensor at all (files absent when false). */
  hwmon?: boolean;
  rapl?: boolean;
  cpufreq?: boolean;
  throttleCounters?: boolean;
}

/** Jiffies per second per core (USER_HZ). */
const HZ = 100;

export class FakeMachine {
  readonly root: string = tmpDir();
  readonly sys: string = path.join(this.root, 'sys');
  readonly proc: string = path.join(this.root, 'proc');
  private busy = 0;
  private idle = 0;
  private energyUj = 0;
  private throttles = 0;
  private throttleMs = 0;
  private readonly cores: number;

  constructor(
    private readonly o: MachineOptions = {},
    /** An existing tree to drive (a worker driving the tree its test created); default: a new one. */
    root?: string,
  ) {
    if (root) {
      this.root = root;
      this.sys = path.join(root, 'sys');
      this.proc = path.join(root, 'proc');
    }
    this.cores = o.cores ?? 2;
    fs.mkdirSync(this.proc, { recursive: true });
    const cpuDir = path.join(this.sys, 'devices', 'system', 'cpu');
    for (let c = 0; c < this.cores; c++) {
      if (o.cpufreq !== false) {
        this.put(path.join(cpuDir, `cpu${c}`, 'cpufreq', 'cpuinfo_max_freq'), String((o.maxFreqMHz ?? 3000) * 1000));
        this.put(path.join(cpuDir, `cpu${c}`, 'cpufreq', 'scaling_max_freq'), String((o.maxFreqMHz ?? 3000) * 1000));
      }
      if (o.throttleCounters) {
        for (const f of ['core_throttle_count', 'core_throttle_total_time_ms', 'package_throttle_count', 'package_throttle_total_time_ms']) this.put(path.join(cpuDir, `cpu${c}`, 'thermal_throttle', f), '0');
      }
    }
    if (o.hwmon !== false) {
      const h = path.join(this.sys, 'class', 'hwmon', 'hwmon0');
      this.put(path.join(h, 'name'), 'coretemp');
      this.put(path.join(h, 'temp1_label'), 'Package id 0');
      this.put(path.join(h, 'temp1_crit'), String((o.critC ?? 100) * 1000));
    }
    if (o.rapl !== false) {
      const z = path.join(this.sys, 'class', 'powercap', 'intel-rapl:0');
      this.put(path.join(z, 'name'), 'package-0');
      this.put(path.join(z, 'max_energy_range_uj'), '262143328850');
    }
    this.set({ util: 0, tempC: 40, powerW: 5, freqMHz: 800, throttleEvents: 0 }, 0);
  }

  private put(p: string, text: string): void {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    // In place (the inode is kept, as sysfs keeps it), and never empty in between: writing at
    // offset 0 and then truncating to length means a reader racing the driver sees the old or
    // the new value, not the empty file that writeFileSync's truncate-first leaves for a moment
    // (on a loaded machine that moment is long enough to split a throttle interval). A real
    // kernel's attribute reads are atomic; this is as close as a plain file gets.
    const bytes = Buffer.from(text + '\n');
    const fd = fs.openSync(p, fs.existsSync(p) ? 'r+' : 'w');
    try {
      fs.writeSync(fd, bytes, 0, bytes.length, 0);
      fs.ftruncateSync(fd, bytes.length);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Advances the machine by `dtS` seconds in state `s` (counters grow, instant values change). */
  set(s: MachineState, dtS: number): void {
    const total = dtS * HZ * this.cores;
    this.busy += (total * s.util) / 100;
    this.idle += total * (1 - s.util / 100);
    const perCore = (x: number): number => Math.round(x / this.cores);
    const line = (name: string, busy: number, idle: number): string => `${name} ${Math.round(busy)} 0 0 ${Math.round(idle)} 0 0 0 0 0 0`;
    const cores = Array.from({ length: this.cores }, (_, c) => line(`cpu${c}`, perCore(this.busy), perCore(this.idle)));
    this.put(path.join(this.proc, 'stat'), [line('cpu', this.busy, this.idle), ...cores, 'ctxt 1', 'btime 1700000000'].join('\n'));
    this.put(path.join(this.proc, 'meminfo'), 'MemTotal:       16000000 kB\nMemAvailable:    8000000 kB');
    if (this.o.hwmon !== false && s.tempC !== null) this.put(path.join(this.sys, 'class', 'hwmon', 'hwmon0', 'temp1_input'), String(Math.round(s.tempC * 1000)));
    if (this.o.rapl !== false && s.powerW !== null) {
      this.energyUj += s.powerW * dtS * 1e6;
      this.put(path.join(this.sys, 'class', 'powercap', 'intel-rapl:0', 'energy_uj'), String(Math.round(this.energyUj)));
    }
    const cpuDir = path.join(this.sys, 'devices', 'system', 'cpu');
    for (let c = 0; c < this.cores; c++) {
      if (this.o.cpufreq !== false && s.freqMHz !== null) this.put(path.join(cpuDir, `cpu${c}`, 'cpufreq', 'scaling_cur_freq'), String(Math.round(s.freqMHz * 1000)));
    }
    if (this.o.throttleCounters && s.throttleEvents) {
      this.throttles += s.throttleEvents;
      this.throttleMs += dtS * 1000;
      for (let c = 0; c < this.cores; c++) {
        this.put(path.join(cpuDir, `cpu${c}`, 'thermal_throttle', 'package_throttle_count'), String(this.throttles));
        this.put(path.join(cpuDir, `cpu${c}`, 'thermal_throttle', 'package_throttle_total_time_ms'), String(Math.round(this.throttleMs)));
      }
    }
  }

  /** Joules the package used so far (RAPL's truth). */
  get energyJ(): number {
    return this.energyUj / 1e6;
  }

  /** A sensor context rooted here; synchronous reads keep fake-clock tests deterministic. */
  context(now: () => number, periodMs = 1000): SensorContext {
    return { sysfsRoot: this.sys, procfsRoot: this.proc, nvidiaSmi: null, periodMs, now, readFile: (p) => Promise.resolve(fs.readFileSync(p, 'utf8')) };
  }
}
