/** A session summary as text: one block per device, readable at 80 columns, every figure with its unit. */
import type { DeviceSummary, SessionSummary } from '../analysis/summary.js';
import { duration, fmt, pct, plural } from './format.js';

/** "18.2 s of 58.0 s judged (31 %), thermal" / "none in 60 s judged" / "cannot tell (no throttle evidence)". */
export function throttleText(t: NonNullable<DeviceSummary['throttle']>): string {
  const judged = t.throttled_s + t.unthrottled_s;
  const unknown = t.unknown_s > 0 && judged > 0 ? `; ${duration(t.unknown_s)} could not be told` : '';
  if (judged === 0) return 'cannot tell (no throttle evidence: no counters, clock reasons, or temperature limit with a clock ratio)';
  if (t.throttled_s === 0) return `not throttled in ${duration(judged)} judged${unknown}`;
  return `THROTTLED ${duration(t.throttled_s)} of ${duration(judged)} judged (${pct(t.share)}), ${t.causes.join(', ') || 'other'}${t.inferred ? ' (inferred from temperature and clocks)' : t.inferred_s > 0 ? ` (${duration(t.inferred_s)} of it inferred from temperature and clocks)` : ''}${unknown}`;
}

export function renderSummary(s: SessionSummary, notes: readonly string[]): string {
  const names = Object.keys(s.devices);
  let out = `${s.source}: ${plural(s.rows, 'row')}, ${s.malformed_rows} malformed, ${plural(names.length, 'device')}\n`;
  for (const name of names) {
    const d = s.devices[name]!;
    const longest = d.gaps.count > 0 ? ` (longest ${duration(d.gaps.longest_s)})` : '';
    const power = d.power_w.measured_share
      ? `mean ${fmt(d.power_w.mean)} W, max ${fmt(d.power_w.max)} W, a reading on ${pct(d.power_w.measured_share)} of samples`
      : d.power_w.label
        ? `not a reading (${d.power_w.label === 'derived' ? 'computed from utilization' : 'a constant'}, written by the recording tool)`
        : 'not measured (a_load estimated from utilization)';
    const temp = d.temp_c.available_share
      ? `mean ${fmt(d.temp_c.mean)} °C, max ${fmt(d.temp_c.max)} °C, a reading on ${pct(d.temp_c.available_share)} of samples`
      : d.temp_c.label
        ? 'not a reading (a constant written by the recording tool)'
        : 'not available';
    const collapse = d.collapse_rate === null && d.collapse_note ? `n/a (${d.collapse_note})` : `${plural(d.collapse_samples, 'sample')} (${pct(d.collapse_rate)}), ${plural(d.collapse_events, 'event')}`;
    out += [
      '',
      `${name}: ${plural(d.samples, 'sample')} over ${duration(d.duration_s)}, ${plural(d.gaps.count, 'gap')}${longest}`,
      `  collapse      ${collapse}`,
      `  rle_smoothed  mean ${fmt(d.rle_smoothed.mean)}, min ${fmt(d.rle_smoothed.min)}, max ${fmt(d.rle_smoothed.max)}`,
      `  E_th, E_pw    mean ${fmt(d.E_th_mean)}, ${fmt(d.E_pw_mean)}`,
      `  power         ${power}`,
      `  temperature   ${temp}`,
      `  utilization   mean ${fmt(d.util_pct_mean)} %`,
      ...(d.throttle ? [`  throttling    ${throttleText(d.throttle)}`] : []),
    ].join('\n') + '\n';
  }
  if (notes.length > 0) out += '\nNotes:\n' + notes.map((n) => `  - ${n}\n`).join('');
  return out;
}

/** What a training run's summary says about learning and throughput (`rle train`'s closing lines). */
export interface TrainingText {
  status: string;
  steps: number;
  wall_s: number | null;
  loss_first: number | null;
  loss_last: number | null;
  loss_change_pct: number | null;
  samples_per_s: number | null;
  tokens_per_s: number | null;
  kernels: { name: string } | null;
}

export function renderTraining(id: string, s: TrainingText): string {
  const change = s.loss_change_pct === null ? '' : ` (${s.loss_change_pct >= 0 ? '+' : ''}${s.loss_change_pct.toFixed(1)} %)`;
  return (
    `training ${s.status}: session ${id}, ${plural(s.steps, 'step')} in ${fmt(s.wall_s)} s\n` +
    `  loss ${fmt(s.loss_first, 4)} → ${fmt(s.loss_last, 4)}${change}\n` +
    `  ${fmt(s.samples_per_s)} samples/s, ${fmt(s.tokens_per_s)} tokens/s${s.kernels ? ` (${s.kernels.name})` : ''}\n`
  );
}
