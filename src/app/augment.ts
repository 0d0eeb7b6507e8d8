/** `rle augment`: a session CSV with its metric columns recomputed, streamed to a file (atomically) or a stream. */
import type { Writable } from 'node:stream';
import type { EngineOptions } from '../core/device.js';
import type { SessionEngine } from '../core/engine.js';
import type { ThrottleSample } from '../analysis/throttle/types.js';
import { hasThrottleEvidence, replayCsv } from '../replay/csv.js';
import { ByteBuffer } from '../store/byte-buffer.js';
import type { ReadOptions, ReadStats } from '../store/csv-reader.js';
import { SessionCsvWriter } from '../store/csv-writer.js';
import { AtomicOutput, openInput, streamWriter, type ChunkWriter } from '../store/files.js';
import type { StoredThrottle } from '../store/session-store.js';

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
  const put: ChunkWriter = out ? (s, written) => out.put(s, written) : streamWriter(o.stdout);
  const buf = new ByteBuffer();
  try {
    let writer = new SessionCsvWriter();
    // Without throttle evidence in the file every answer is "cannot tell": empty columns.
    let stored: ((a: ThrottleSample | undefined) => StoredThrottle | null) | null = null;
    const result = await replayCsv(source, { ...o.read, source: input }, o.engine, {
      onHeader: async (h) => {
        writer = new SessionCsvWriter(o.extra ? h.extraColumns : []);
        if (hasThrottleEvidence(h.extraColumns)) stored = (await import('../analysis/throttle/from-sample.js')).storedThrottle;
        return put(writer.headerLine());
      },
      // Each batch goes out as it is done (as a stream reads it), as one chunk of bytes.
      onBatch: (rows, metrics, throttle) => {
        for (let i = 0; i < rows.length; i++) writer.writeLine(buf, rows[i]!, metrics[i]!, stored ? stored(throttle[i]) : null);
        const chunk = buf.take();
        return put(chunk, () => buf.release(chunk));
      },
    });
    await out?.commit();
    return { stats: result.stats, engine: result.engine };
  } catch (err) {
    await out?.abort();
    throw err;
  }
}
