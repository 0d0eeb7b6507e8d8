/**
 * TensorBoard event files (`events.out.tfevents.*`) → training steps. One file or a run folder
 * (searched recursively; several files, e.g. a run resumed from a checkpoint, are merged).
 * Files are streamed record by record, so memory grows with the number of kept scalar values
 * (those of the tags some field may use), not with the file.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { RleError } from '../errors.js';
import { filesBelow } from './walk.js';
import { fsErrorReason } from '../store/files.js';
import { decodeEvent } from './event-proto.js';
import { SeriesCollector } from './series.js';
import { TfRecordReader } from './tfrecord.js';
import { wallTimeProblem } from './times.js';
import type { ImportResult, TagMap } from './types.js';

export const EVENT_FILE = /^events\.out\.tfevents\./;

export interface EventScalar {
  /** Byte offset of the event's record. */
  readonly offset: number;
  readonly step: number;
  /** Unix seconds, validated (finite, 2000–2100). */
  readonly wall_time: number;
  readonly tag: string;
  /** null for a value that is not a scalar (image, histogram, text…). */
  readonly value: number | null;
  /** Stored as float32 (the value is exact; float32Shortest gives its shortest decimal). */
  readonly float32: boolean;
}

/** Event files under `dir`, recursively, sorted by path (their names start with the creation time). */
export async function findEventFiles(dir: string): Promise<string[]> {
  return (await filesBelow(dir)).filter((f) => EVENT_FILE.test(path.basename(f.rel))).map((f) => f.path);
}

/**
 * Calls `onValue` for every summary value of one event file, in file order. A truncated tail
 * ends the file and adds a warning; corruption, a file that is not an event file, or a wall
 * time outside 2000–2100 throws E_INPUT_FORMAT naming the file and the record's byte offset.
 */
export async function readEventValues(file: string, warnings: string[], onValue: (v: EventScalar) => void): Promise<void> {
  const reader = new TfRecordReader(file);
  await reader.read((rec) => {
    let ev;
    try {
      ev = decodeEvent(rec.data);
    } catch (e) {
      throw new RleError('E_INPUT_FORMAT', `record ${rec.index} at byte ${rec.offset} is not an Event: ${(e as Error).message}`, { file });
    }
    if (rec.index === 0) {
      // Every writer (TF's C++ events_writer, tensorboardX, torch) starts with this record.
      if (ev.file_version === null || !ev.file_version.startsWith('brain.Event:')) {
        throw new RleError('E_INPUT_FORMAT', 'not a TensorBoard event file: the first record is not a file_version event', { file });
      }
      return;
    }
    if (ev.values.length === 0) return;
    const bad = wallTimeProblem(ev.wall_time);
    if (bad !== null) throw new RleError('E_INPUT_FORMAT', `record ${rec.index} at byte ${rec.offset} (step ${ev.step}): wall ${bad}`, { file });
    if (Number.isNaN(ev.step)) throw new RleError('E_INPUT_FORMAT', `record ${rec.index} at byte ${rec.offset}: step is outside the safe integer range`, { file });
    for (const v of ev.values) onValue({ offset: rec.offset, step: ev.step, wall_time: ev.wall_time, tag: v.tag, value: v.value, float32: v.float32 });
  });
  if (reader.truncation !== null) warnings.push(`${file}: ${reader.truncation.reason}; the partial record was dropped (a run still being written?)`);
}

/** Reads one event file, or every event file under a folder, into steps. */
export async function readTfEvents(input: string, opts: { tagMap?: TagMap } = {}): Promise<ImportResult> {
  let stat;
  try {
    stat = await fsp.stat(input);
  } catch (e) {
    throw new RleError('E_INPUT_MISSING', `cannot read: ${fsErrorReason(e)}`, { file: input });
  }
  const files = stat.isDirectory() ? await findEventFiles(input) : [input];
  if (files.length === 0) throw new RleError('E_INPUT_MISSING', 'no events.out.tfevents.* files in this folder or below', { file: input });
  const warnings: string[] = [];
  const dirs = new Set(files.map((f) => path.dirname(f)));
  if (dirs.size > 1) {
    warnings.push(`event files in ${dirs.size} folders merged as one run: ${[...dirs].map((d) => path.relative(input, d) || '.').join(', ')}`);
  }
  const series = new SeriesCollector(opts.tagMap);
  for (const file of files) {
    await readEventValues(file, warnings, (s) => series.add(s.tag, s.step, s.wall_time, s.value, s.float32));
  }
  const { steps, fields } = series.build(warnings);
  const tags = series.tags();
  if (steps.length === 0) {
    const seen = Object.entries(tags).map(([t, n]) => `${t} (${n})`).join(', ') || 'none';
    throw new RleError('E_INPUT_FORMAT', `no training steps found; tags seen: ${seen}. Map them with a tag map (e.g. loss=my/loss)`, { file: input });
  }
  return { steps, source: input, format: 'tfevents', warnings, tags, fields };
}
