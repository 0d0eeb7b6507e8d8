/**
 * `--csv FILE`: the session CSV as it is recorded, into a temp file renamed into place when
 * the session completes or is interrupted. A failed session leaves no file (the store keeps
 * what was recorded; `rle export` writes it). The extra columns are the readings of the first
 * tick: a reading that appears later is in the store and in `rle export`, not in this stream.
 */
import type { TickReport } from '../sampler/sampler.js';
import { SessionCsvWriter } from '../store/csv-writer.js';
import type { RleError } from '../errors.js';
import type { AtomicOutput } from '../store/files.js';
import type { EndStatus } from '../store/session-store.js';
import type { Sink } from './sink.js';
import { storedThrottle } from '../analysis/throttle/from-sample.js';

export class CsvSink implements Sink {
  readonly name = 'csv';
  private writer: SessionCsvWriter | null = null;
  /**
   * Why the file could not be written (a full disk), once it failed: its temp file is removed
   * at once, the session goes on in the store, and the command ends with this error.
   */
  failure: RleError | null = null;

  constructor(private readonly out: AtomicOutput) {}

  async write(r: TickReport): Promise<void> {
    try {
      if (!this.writer) {
        this.writer = new SessionCsvWriter([...new Set(r.samples.flatMap((x) => Object.keys(x.extra ?? {})))]);
        this.out.write(this.writer.headerLine());
      }
      const w = this.writer;
      let s = '';
      r.samples.forEach((sample, i) => (s += w.storedLine({ sample, metric: r.metrics[i]!, throttle: storedThrottle(r.throttle[i]) })));
      await this.out.put(s);
    } catch (e) {
      throw await this.failed(e);
    }
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  async close(end: EndStatus): Promise<void> {
    if (end === 'failed') return this.out.abort();
    try {
      if (!this.writer) this.out.write(new SessionCsvWriter().headerLine()); // stopped before the first tick
      await this.out.commit();
    } catch (e) {
      throw await this.failed(e);
    }
  }

  /** Drops the temp file (a session that never started). */
  abort(): Promise<void> {
    return this.out.abort();
  }

  private async failed(e: unknown): Promise<RleError> {
    this.failure ??= this.out.failure(e);
    await this.out.abort();
    return this.failure;
  }
}
