/**
 * Turns a command's output into training steps: split into lines (per stream, so each
 * stream keeps its order), parse metrics, and time each step — by the line's own time when it
 * has one, else by its arrival on the session clock. Lines of one step number are merged (the
 * drop-in helper writes late metrics on a second line). Steps that arrive in a burst with no
 * time of their own — several within a few ms, as block-buffered output does — are marked
 * `burst`: their arrival says nothing about when they ran, and the analysis leaves them out of
 * the time alignment.
 */
import { StringDecoder } from 'node:string_decoder';
import type { StepRecord } from '../store/session-store.js';
import { parseMetricLine, type MetricFormat, type StepMetrics } from './metric-lines.js';

/** Arrivals closer than this belong to one burst, s (a print per step is further apart than 5 ms in any real loop). */
export const BURST_GAP_S = 0.005;
/** This many arrival-stamped steps in one burst mark it (one or two lines per chunk are ordinary). */
export const BURST_MIN_STEPS = 3;

export class StepCollector {
  private lastStep = 0;
  private readonly byStep = new Map<number, StepRecord>();
  /** Arrival-stamped steps of the current burst candidate, in arrival order. */
  private run: StepRecord[] = [];
  count = 0;
  /** Steps whose loss was NaN or infinite. */
  nonFinite = 0;
  /** Steps marked as burst-stamped. */
  burst = 0;

  constructor(
    private readonly nowS: () => number,
    private readonly format: MetricFormat,
    /** Called with each step as it is captured, and again when a later line adds to it. */
    private readonly onStep: (s: StepRecord) => void,
    /** Called once, the first time a burst is seen. */
    private readonly onBurst: () => void = () => undefined,
  ) {}

  /** A line splitter for one stream; call it with each chunk, and with null at the end. */
  stream(): (chunk: Buffer | string | null) => void {
    const decoder = new StringDecoder('utf8');
    let rest = '';
    return (chunk) => {
      const t = this.nowS(); // stamped on arrival, before any parsing
      const text = rest + (chunk === null ? decoder.end() : typeof chunk === 'string' ? chunk : decoder.write(chunk));
      const lines = text.split('\n');
      rest = chunk === null ? '' : lines.pop()!;
      for (const line of lines) this.line(line.replace(/\r$/, ''), t);
    };
  }

  line(text: string, arrival: number): void {
    const m = parseMetricLine(text, this.format);
    if (!m) return;
    const step = m.step ?? this.lastStep + 1;
    this.lastStep = Math.max(this.lastStep, step);
    const had = this.byStep.get(step);
    const rec = merge(had, step, m, arrival);
    this.byStep.set(step, rec);
    if (!had) {
      this.count++;
      if (m.loss !== null && !Number.isFinite(m.loss)) this.nonFinite++;
    } else if (had.loss === null && m.loss !== null && !Number.isFinite(m.loss)) this.nonFinite++;
    if (!had && rec.t_source === 'arrival') this.checkBurst(rec);
    this.onStep(this.byStep.get(step)!);
  }

  private checkBurst(rec: StepRecord): void {
    const prev = this.run.at(-1);
    this.run = prev && rec.t - prev.t <= BURST_GAP_S ? [...this.run, rec] : [rec];
    if (this.run.length < BURST_MIN_STEPS) return;
    const first = this.burst === 0;
    for (const r of this.run) {
      const cur = this.byStep.get(r.step)!;
      if (cur.t_source === 'burst') continue;
      const marked = { ...cur, t_source: 'burst' as const };
      this.byStep.set(r.step, marked);
      this.burst++;
      if (r !== rec) this.onStep(marked); // rec itself goes out from line()
    }
    if (first) this.onBurst();
  }
}

/** A step's record after one more line: the line's values win, its own time over arrival. */
function merge(had: StepRecord | undefined, step: number, m: StepMetrics, arrival: number): StepRecord {
  const pick = <T>(x: T | null, y: T | null | undefined): T | null => (x !== null ? x : (y ?? null));
  const own = m.time !== null;
  return {
    step,
    t: own ? m.time! : (had?.t ?? arrival),
    t_start: pick(m.start, had?.t_start),
    t_source: own ? 'own' : (had?.t_source ?? 'arrival'),
    loss: pick(m.loss, had?.loss),
    grad_norm: pick(m.grad_norm, had?.grad_norm),
    learning_rate: pick(m.learning_rate, had?.learning_rate),
    tokens: pick(m.tokens, had?.tokens),
    epoch: pick(m.epoch, had?.epoch),
  };
}
