/**
 * A real-data null: the earlier tool's real training log (grad_norm and loss at their real
 * times) against real GPU telemetry of a different session (the pc hour of 2025-10-28, 1 Hz),
 * time-shifted onto the training's span at many offsets. Nothing links them, so the share of
 * p < 0.05 should be about 5 %. The telemetry window starts `leadS` before the first step (as
 * the monitor did in the training session) and the engine is run on it from its first sample,
 * so rle_smoothed has its start-up spike.
 */
import path from 'node:path';
import { SessionEngine } from '../../../src/core/engine.js';
import { emptySeries, loadCsvSession, type DeviceSeries } from '../../../src/replay/series.js';
import { readTrainingLog } from '../../../src/ingest/training-log.js';
import type { StepRecord } from '../../../src/store/session-store.js';
import { FIXTURES, fixtureFile } from '../../helpers.js';

export async function realPieces(): Promise<{ steps: StepRecord[]; gpu: DeviceSeries }> {
  const { steps } = await readTrainingLog(path.join(FIXTURES, 'training', 'training_log_20251028_195412.json'));
  const data = await loadCsvSession(fixtureFile('golden/pc_rle_20251028_08.in.csv.gz'));
  const gpu = data.devices.find((d) => d.device.startsWith('gpu'))!;
  return { steps, gpu };
}

/** Telemetry samples [from, from + len) of `gpu`, moved so that sample `from` is at time t0, metrics recomputed from there. */
export function shifted(gpu: DeviceSeries, from: number, len: number, t0: number): DeviceSeries {
  const eng = new SessionEngine();
  const out: DeviceSeries = { ...emptySeries(gpu.device), device: gpu.device, t: [], util_pct: [], temp_c: [], power_w: [], power_estimated: [], power_provenance: {}, temp_provenance: {}, rle_smoothed: [], rolling_peak: [], E_th: [], E_pw: [], collapse: [] };
  const base = gpu.t[from]!;
  for (let i = from; i < Math.min(gpu.t.length, from + len); i++) {
    const s = { util_pct: gpu.util_pct[i] ?? null, temp_c: gpu.temp_c[i] ?? null, power_w: gpu.power_w[i] ?? null };
    const m = eng.push(gpu.device, s);
    out.t.push(t0 + gpu.t[i]! - base);
    out.util_pct.push(s.util_pct);
    out.temp_c.push(s.temp_c);
    out.power_w.push(m.power_source === 'measured' ? s.power_w : null);
    out.power_estimated.push(m.power_source === 'estimated' ? 1 : 0);
    out.rle_smoothed.push(m.rle_smoothed);
    out.rolling_peak.push(m.rolling_peak);
    out.E_th.push(m.E_th);
    out.E_pw.push(m.E_pw);
    out.collapse.push(m.collapse);
  }
  return out;
}
