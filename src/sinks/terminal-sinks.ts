/**
 * The terminal's view of a recording: a live status line (only on a terminal; rewritten in
 * place) and a summary line every `--stats-interval` seconds of session time.
 */
import { fmt } from '../report/format.js';
import type { TickReport } from '../sampler/sampler.js';
import type { Sink } from './sink.js';
import type { SummarySink } from './summary-sink.js';

export function statusLine(r: TickReport): string {
  const parts = r.samples.map((s, i) => {
    const m = r.metrics[i]!;
    const temp = s.temp_c === null ? 'n/a' : `${fmt(s.temp_c)}°C`;
    const power = s.power_w === null ? 'n/a' : `${fmt(s.power_w)}W${s.power_src === 'estimated' ? '(est)' : ''}`;
    const th = r.throttle[i];
    const throttled = th?.throttled === 1 ? ` THROTTLED (${th.causes.join(', ') || 'other'}${th.inferred ? ', inferred' : ''})` : '';
    return `${s.device} ${fmt(s.util_pct)}% ${temp} ${power} rle ${fmt(m.rle_smoothed)}${m.collapse ? ' COLLAPSE' : ''}${throttled}`;
  });
  return `[${new Date(r.tick.actualS * 1000).toISOString().slice(11, 19)}] ${parts.join(' | ')}`;
}

type Write = (s: string) => void;

export class StatusLineSink implements Sink {
  readonly name = 'status line';
  private shown = false;

  constructor(private readonly out: Write) {}

  write(r: TickReport): void {
    this.out(`\r\x1b[K${statusLine(r)}`);
    this.shown = true;
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.shown) this.out('\n');
    return Promise.resolve();
  }
}

export class StatsLineSink implements Sink {
  readonly name = 'stats line';
  private lastS: number | null = null;

  /** @param intervalS seconds of session time between lines; @param overStatus clear a status line first */
  constructor(
    private readonly out: Write,
    private readonly prefix: string,
    private readonly intervalS: number,
    private readonly summary: SummarySink,
    private readonly overStatus: boolean,
  ) {}

  write(r: TickReport): void {
    const t = r.tick.actualS;
    this.lastS ??= t;
    if (t - this.lastS < this.intervalS) return;
    this.lastS = t;
    const s = this.summary.result('');
    const line = Object.entries(s.devices)
      .map(([d, x]) => `${d}: ${x.samples} samples, rle_smoothed mean ${fmt(x.rle_smoothed.mean)}, ${x.collapse_events} collapse events`)
      .join(' | ');
    this.out(`${this.overStatus ? '\r\x1b[K' : ''}${this.prefix}${line}\n`);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
