/**
 * "Was my training throttled, when, why, and what did it cost me?" — the report's throttle,
 * throttle-tax and energy blocks (summary.json), built from a session's columns: the throttle
 * detector per device (src/analysis/throttle/), the steps' own intervals (step-cost.ts), the
 * tax (throttle-tax.ts), and the energy of each step from a counter — RAPL's (measured), a
 * GPU's integral of measured power.draw (derived), or recorded/measured power integrated here
 * (derived). Never an estimate.
 */
import { deviceThrottle, type DeviceThrottle } from '../analysis/throttle/device.js';
import { unionOf, type Span } from '../analysis/throttle/intervals.js';
import { stepThrottleShares } from '../analysis/throttle/step-share.js';
import type { Cause } from '../analysis/throttle/types.js';
import { stepEnergy, stepIntervals, type EnergyCounter, type StepInterval } from '../analysis/step-cost.js';
import { throttleTax, type ThrottleTax } from '../analysis/throttle-tax.js';
import type { DeviceSeries, SessionData } from '../replay/series.js';

export interface ThrottleBlock {
  evidence: string[];
  limit_c: number | null;
  limit_source: string | null;
  intervals: { start: string; end: string; duration_s: number; causes: Cause[]; inferred: boolean }[];
  throttled_s: number;
  throttled_share: number | null;
  note: string | null;
}

export interface EnergyBlock {
  source: string | null;
  joules: number | null;
  joules_per_step: { median: number | null };
  joules_per_token: number | null;
  note: string | null;
}

export interface CostSummary {
  throttle: Record<string, ThrottleBlock>;
  throttle_tax: ThrottleTax & { devices: string[] };
  energy: Record<string, EnergyBlock>;
  /** Per step: its interval and cost, for the figure's step-time panel. */
  step_times: { step: number; start: number | null; end: number; duration_s: number | null; throttled_share: number | null }[];
  /** One line: who throttled how long and why, what the job lost, J/token. */
  headline: string;
}

const iso = (t: number): string => new Date(t * 1000).toISOString();
const first = <T>(a: readonly (T | null)[]): T | null => a.find((x) => x !== null) ?? null;

function limitOf(data: SessionData, d: DeviceSeries): { limit_c: number | null; limit_source: string | null } {
  const recorded = (data.info?.manifest.limits as Record<string, { limit_c: number | null; limit_source: string | null }> | undefined)?.[d.device];
  if (recorded && recorded.limit_c !== null) return recorded;
  const own = first(d.throttle.temp_limit_c ?? []);
  return own === null ? { limit_c: null, limit_source: null } : { limit_c: own, limit_source: `${d.device}.temp_limit reading` };
}

function throttleBlock(data: SessionData, d: DeviceSeries, t: DeviceThrottle): ThrottleBlock {
  return {
    evidence: t.evidence,
    ...limitOf(data, d),
    intervals: t.intervals.map((x) => ({ start: iso(x.start), end: iso(x.end), duration_s: x.duration_s, causes: x.causes, inferred: x.inferred })),
    throttled_s: t.throttled_s,
    throttled_share: t.throttled_share,
    note: t.note,
  };
}

/** A cumulative energy counter for the device, or why there is none. */
function energyCounter(d: DeviceSeries): { counter: EnergyCounter; source: string } | { note: string } {
  if (d.energy_j.some((x) => x !== null)) return { counter: { t: d.t, joules: d.energy_j }, source: d.energy_source ?? 'energy counter' };
  if (!d.power_w.some((x) => x !== null)) {
    return { note: `${d.device}: no measured energy — no energy counter and no power reading (power estimated from utilization is never used for energy)` };
  }
  // Trapezoids between consecutive power readings; a missing reading breaks the sum there.
  const joules: (number | null)[] = [];
  let sum = 0, prev: { t: number; w: number } | null = null;
  d.t.forEach((t, i) => {
    const w = d.power_w[i] ?? null;
    if (w === null) {
      joules.push(null);
      prev = null;
      return;
    }
    if (prev) sum += ((prev.w + w) / 2) * (t - prev.t);
    prev = { t, w };
    joules.push(sum);
  });
  const how = d.power_provenance.recorded ? 'recorded' : 'measured';
  return { counter: { t: d.t, joules }, source: `${how} power integrated over samples (derived)` };
}

function energyBlocks(data: SessionData, steps: readonly StepInterval[]): { blocks: Record<string, EnergyBlock>; perStep: (number | null)[] | null } {
  const blocks: Record<string, EnergyBlock> = {};
  let perStep: (number | null)[] | null = null;
  for (const d of data.devices) {
    const c = energyCounter(d);
    if ('note' in c) {
      blocks[d.device] = { source: null, joules: null, joules_per_step: { median: null }, joules_per_token: null, note: c.note };
      continue;
    }
    const e = stepEnergy(steps, c.counter);
    const total = e.total_j ?? counterSpan(c.counter);
    // Over the steps whose energy and tokens are both known (the last may end after the last sample).
    let j = 0, tokens = 0;
    steps.forEach((s, i) => {
      if (e.joules[i] !== null && e.joules[i] !== undefined && s.tokens) {
        j += e.joules[i];
        tokens += s.tokens;
      }
    });
    blocks[d.device] = {
      source: c.source,
      joules: total,
      joules_per_step: { median: e.median_j_per_step },
      joules_per_token: tokens > 0 ? j / tokens : null,
      note: steps.length === 0 ? 'no training steps: energy over the whole session' : e.median_j_per_step === null ? 'the steps fall outside the energy counter or its gaps' : null,
    };
    // The tax charges the energy of every device that measured it, summed per step.
    perStep = perStep ? perStep.map((j, i) => (j === null || e.joules[i] === null ? null : j + e.joules[i]!)) : [...e.joules];
  }
  return { blocks, perStep };
}

function counterSpan(c: EnergyCounter): number | null {
  const v = c.joules.filter((x): x is number => x !== null);
  return v.length >= 2 ? v.at(-1)! - v[0]! : null;
}

function headline(throttle: Record<string, ThrottleBlock>, tax: ThrottleTax, energy: Record<string, EnergyBlock>): string {
  const parts: string[] = [];
  for (const [dev, t] of Object.entries(throttle)) {
    if (t.throttled_share === null) parts.push(`${dev}: cannot tell whether it throttled (${t.evidence.length === 0 ? 'no evidence' : 'no answer'})`);
    else if (t.throttled_s === 0) parts.push(`${dev} not throttled`);
    else {
      const causes = [...new Set(t.intervals.flatMap((x) => x.causes))].join(', ');
      const inferred = t.intervals.every((x) => x.inferred) ? ' (inferred)' : t.intervals.some((x) => x.inferred) ? ' (partly inferred)' : '';
      parts.push(`${dev} throttled ${t.throttled_s.toFixed(1)} s (${(t.throttled_share * 100).toFixed(0)} %), ${causes}${inferred}`);
    }
  }
  if (tax.lost_s !== null && tax.throttled_steps > 0) {
    // The bootstrap interval is not symmetric about the estimate: both ends, not a ±.
    const ci = tax.lost_s_interval ? ` (95 % interval ${tax.lost_s_interval[0].toFixed(1)}–${tax.lost_s_interval[1].toFixed(1)} s)` : '';
    parts.push(`the job lost ${tax.lost_s.toFixed(1)} s${ci} — ${((tax.lost_share ?? 0) * 100).toFixed(0)} % of its wall time`);
  } else if (tax.steps > 0 && tax.note) parts.push(`lost time: ${tax.note}`);
  for (const [dev, e] of Object.entries(energy)) if (e.joules_per_token !== null) parts.push(`${dev} ${e.joules_per_token.toPrecision(2)} J/token`);
  return parts.join('; ');
}

export function costSummary(data: SessionData, devices: readonly string[]): CostSummary {
  const series = data.devices.filter((d) => devices.includes(d.device));
  const judged = series.map((d) => ({ d, t: deviceThrottle(d.throttle) }));
  const throttle = Object.fromEntries(judged.map(({ d, t }) => [d.device, throttleBlock(data, d, t)]));
  const tm = data.info?.manifest.training as { started_at?: number } | undefined;
  const steps = stepIntervals(data.steps, tm?.started_at ?? null);
  // A step is charged for throttling on any device that could tell.
  const answering = judged.filter((x) => x.t.throttled_share !== null);
  const union = (f: (t: DeviceThrottle) => readonly Span[]): Span[] => unionOf(answering.flatMap((x) => f(x.t)));
  const shares = answering.length > 0 ? stepThrottleShares(steps, { intervals: union((t) => t.intervals), known: union((t) => t.known) }) : steps.map(() => null);
  const { blocks: energy, perStep } = energyBlocks({ ...data, devices: series }, steps);
  const tax = { ...throttleTax(steps, shares, perStep), devices: answering.map((x) => x.d.device) };
  if (answering.length === 0 && steps.length > 0) tax.note = 'no device could tell whether it throttled (no throttle evidence): no throttle tax';
  return {
    throttle,
    throttle_tax: tax,
    energy,
    step_times: steps.map((s, i) => ({ step: s.step, start: s.start, end: s.end, duration_s: s.duration_s, throttled_share: shares[i] ?? null })),
    headline: headline(throttle, tax, energy),
  };
}
