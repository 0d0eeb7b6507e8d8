/**
 * A store with a stored (finished) session, one recorded with no temperature or power sensor,
 * and a running one the test appends to, like a monitor in another process would. gpu0 reports
 * NVIDIA clock event reasons: it throttles (thermal and power) for a stretch of each session;
 * the cpu offers no throttle evidence at all.
 */
import path from 'node:path';
import { SessionStore, type StoredRow } from '../../src/store/session-store.js';
import { tmpDir } from '../helpers.js';

export interface LiveStore {
  db: string;
  finished: string;
  /** A session whose cpu had utilization only: no temperature, no power, no throttle evidence. */
  bare: string;
  running: string;
  /** Appends `n` ticks (cpu and gpu0 samples) and a training step each to the running session. */
  append(n?: number): void;
  stop(): void;
  close(): void;
}

/** sw_thermal_slowdown | sw_power_cap (NVML's bits). */
export const THERMAL_AND_POWER = 0x20 | 0x4;

/** gpu0 throttles on samples i where this holds. */
export const gpuThrottled = (i: number): boolean => i % 40 >= 20 && i % 40 < 30;

export function row(t: number, i: number, device: string): StoredRow {
  const u = 50 + 40 * Math.sin(i / 5);
  const gpu = device === 'gpu0';
  return {
    sample: {
      device, t, scheduled_t: t, util_pct: u, temp_c: i % 17 === 5 ? null : 50 + u / 10, power_w: gpu ? 100 + u : null, util_src: 'measured', temp_src: 'measured', power_src: gpu ? 'measured' : null,
      extra: gpu ? { 'gpu0.throttle': gpuThrottled(i) ? THERMAL_AND_POWER : 0 } : null,
    },
    metric: { rle_smoothed: 0.5 + 0.3 * Math.cos(i / 7), rle_raw: 0.5, rle_norm: 0.8, E_th: 0.6, E_pw: 0.7, a_load: u / 100, t_sustain_s: 600, rolling_peak: 0.9, collapse: i % 23 > 19 ? 1 : 0, power_source: gpu ? 'measured' : 'estimated' },
  };
}

/** A cpu sample with utilization only (no temperature or power sensor). */
function bareRow(t: number, i: number): StoredRow {
  return {
    sample: { device: 'cpu', t, scheduled_t: t, util_pct: 99.5 + 0.3 * Math.sin(i), temp_c: null, power_w: null, util_src: 'measured', temp_src: null, power_src: null },
    metric: { rle_smoothed: 0.9, rle_raw: 0.9, rle_norm: 0.9, E_th: 0.95, E_pw: 1, a_load: 1, t_sustain_s: 600, rolling_peak: 0.9, collapse: 0, power_source: 'estimated' },
  };
}

/** What a sampler writes into the manifest for a machine with no hwmon and no RAPL. */
export const BARE_MANIFEST = {
  sampling: { hz: 1 },
  sensors: [
    { id: 'cpu.util', device: 'cpu', kind: 'util', status: 'ok', unit: '%', source: '/proc/stat', reason: null },
    { id: 'cpu.temp', device: 'cpu', kind: 'temp', status: 'unavailable', unit: '°C', source: '/sys/class/hwmon', reason: 'no hwmon chips in /sys/class/hwmon' },
    { id: 'cpu.temp', device: 'cpu', kind: 'temp', status: 'unavailable', unit: '°C', source: '/sys/class/thermal', reason: 'no thermal zones in /sys/class/thermal' },
    { id: 'cpu.power', device: 'cpu', kind: 'power', status: 'unavailable', unit: 'W', source: '/sys/class/powercap', reason: 'no RAPL zones in /sys/class/powercap' },
  ],
};

export function liveStore(db = path.join(tmpDir(), 'rle.db')): LiveStore {
  const store = SessionStore.open(db);
  const t0 = Date.now() / 1000 - 120;
  const finished = store.createSession({ kind: 'monitor', name: 'finished run', startedAt: t0, manifest: {} });
  store.append(finished, Array.from({ length: 120 }, (_, i) => [row(t0 + i, i, 'cpu'), row(t0 + i, i, 'gpu0')]).flat());
  // Steps of 2 s each, but 3 s while gpu0 throttles; each with its own start.
  let end = t0;
  const stepRows = Array.from({ length: 50 }, (_, i) => {
    const start = end;
    end = start + (gpuThrottled(Math.floor(start - t0)) ? 3 : 2);
    return { step: i + 1, t: end, t_start: start, t_source: 'own' as const, loss: 5 - i / 20, grad_norm: i === 30 ? 20 : 2 + Math.sin(i), learning_rate: 1e-4, tokens: 512, epoch: null };
  }).filter((s) => s.t <= t0 + 120);
  store.appendSteps(finished, stepRows);
  store.finish(finished, 'completed', t0 + 120);
  const bare = store.createSession({ kind: 'monitor', name: 'bare machine', startedAt: t0 + 0.5, manifest: BARE_MANIFEST });
  store.append(bare, Array.from({ length: 60 }, (_, i) => bareRow(t0 + i, i)));
  store.finish(bare, 'completed', t0 + 60);
  const running = store.createSession({ kind: 'train', name: 'live run', startedAt: Date.now() / 1000, manifest: {} });
  let i = 0;
  const append = (n = 1): void => {
    for (let k = 0; k < n; k++) {
      const t = Date.now() / 1000 + k * 1e-3;
      store.append(running, [row(t, i, 'cpu'), row(t, i, 'gpu0')]);
      store.appendSteps(running, [{ step: i + 1, t, loss: 4 - i / 100, grad_norm: 3 + Math.sin(i), learning_rate: 1e-4, tokens: 512, epoch: null }]);
      i++;
    }
  };
  append(5);
  return { db, finished, bare, running, append, stop: () => store.finish(running, 'completed', Date.now() / 1000), close: () => store.close() };
}
