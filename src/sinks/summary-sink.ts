/** The live per-device summary of a recording (what `rle analyze` prints), built tick by tick. */
import { SummaryBuilder, type SessionSummary } from '../analysis/summary.js';
import type { TickReport } from '../sampler/sampler.js';
import type { Sink } from './sink.js';

export class SummarySink implements Sink {
  readonly name = 'summary';
  readonly builder: SummaryBuilder;
  private rows = 0;

  /** @param nominalPeriodS the sampling period, s (a gap is a step over twice it) */
  constructor(nominalPeriodS: number) {
    this.builder = new SummaryBuilder(nominalPeriodS);
  }

  write(r: TickReport): void {
    for (let i = 0; i < r.samples.length; i++) this.builder.add(r.samples[i]!.device, r.samples[i]!, r.metrics[i]!, r.throttle[i] ?? null);
    this.rows += r.samples.length;
  }

  result(source: string): SessionSummary {
    return this.builder.result(source, this.rows, 0);
  }

  notes(): string[] {
    return this.builder.notes();
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
