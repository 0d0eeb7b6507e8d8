/** `rle augment`: a session CSV with its metric columns recomputed, streamed to a file (atomically) or a stream. */
import type { Writable } from 'node:stream';
import type { EngineOptions } from '../core/device.js';
import type { SessionEngine } from '../core/engine.js';
import { replayCsv } from '../replay/csv.js';
import type { ReadOptions, ReadStats } from '../store/csv-reader.js';
import { SessionCsvWriter } from '../store/csv-writer.js';
import { AtomicOutput, openInput, streamWriter, type ChunkWriter } from '../store/files.js';
import { storedThrottle } from '../analysis/throttle/from-sample.js';

export interface AugmentOptions {
  readonly output: string | null;
  readonly stdout: Writable;
  readonly engine: EngineOptions;
  readonly read: Omit<ReadOptions, 'source'>;
  /** Pass the input's other columns through. */
  readonly extra: boolean;
}

export async function augmentFile(input: string, o: AugmentOptions): Promise<{ stats: ReadStats; engine: SessionEngine }> {
  const source = await openInput(input);
  const out = o.output ? await AtomicOutput.open(o.output) : null;
  const put: ChunkWriter = out ? (s) => out.put(s) : streamWriter(o.stdout);
  try {
    let writer = new SessionCsvWriter();
    const result = await replayCsv(source, { ...o.read, source: input }, o.engine, {
      onHeader: (h) => {
        writer = new SessionCsvWriter(o.extra ? h.extraColumns : []);
        return put(writer.headerLine());
      },
      onBatch: (rows, metrics, throttle) => {
        let s = '';
        for (let i = 0; i < rows.length; i++) s += writer.line(rows[i]!, metrics[i]!, storedThrottle(throttle[i]));
        return put(s);
      },
    });
    await out?.commit();
    return { stats: result.stats, engine: result.engine };
  } catch (err) {
    await out?.abort();
    throw err;
  }
}
