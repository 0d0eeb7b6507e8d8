/**
 * Turns a command's output into training steps: split into lines (per stream), parse
 * metrics, stamp each on arrival with the session clock, number steps that carry no number,
 * and hand each step on (to the recorder, which stores it with the session).
 */
import { StringDecoder } from 'node:string_decoder';
import type { StepRecord } from '../store/session-store.js';
import { parseMetricLine, type MetricFormat } from './metric-lines.js';

export class StepCollector {
  private lastStep = 0;
  count = 0;
  /** Steps whose loss was NaN or infinite. */
  nonFinite = 0;

  constructor(
    private readonly nowS: () => number,
    private readonly format: MetricFormat,
    /** Called with each step as it is captured. */
    private readonly onStep: (s: StepRecord) => void,
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

  line(text: string, t: number): void {
    const m = parseMetricLine(text, this.format);
    if (!m) return;
    const step = m.step ?? this.lastStep + 1;
    this.lastStep = Math.max(this.lastStep, step);
    if (m.loss !== null && !Number.isFinite(m.loss)) this.nonFinite++;
    this.count++;
    this.onStep({ step, t, loss: m.loss, grad_norm: m.grad_norm, learning_rate: m.learning_rate, tokens: m.tokens, epoch: m.epoch });
  }
}
