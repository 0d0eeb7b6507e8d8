/**
 * One entry point for importing training steps: detects the format (or takes the one given)
 * and reads the path with the matching importer.
 *
 * Detection: a folder with a `metrics/` folder, or a `metrics/` folder itself → MLflow; a
 * folder holding `events.out.tfevents.*` files (at any depth) → TensorBoard; a file named
 * `events.out.tfevents.*`, or one that starts with a checksummed TFRecord header → TensorBoard;
 * any other file → JSON lines.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { RleError } from '../errors.js';
import { fsErrorReason } from '../store/files.js';
import { mlflowMetricsDir, readMlflow } from './mlflow.js';
import { readStepsJsonl } from './steps-jsonl.js';
import { EVENT_FILE, findEventFiles, readTfEvents } from './tfevents.js';
import { looksLikeTfRecord } from './tfrecord.js';
import type { ImportFormat, ImportResult, TagMap } from './types.js';

export interface ReadStepsOptions {
  format?: 'auto' | ImportFormat;
  /** Field → tag or MLflow key (see parseTagMap); not used by JSON lines, whose keys are fixed. */
  tagMap?: TagMap;
}

async function head(file: string, n: number): Promise<Uint8Array> {
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The format `input` holds, by its layout and first bytes. */
export async function detectFormat(input: string): Promise<ImportFormat> {
  let stat;
  try {
    stat = await fsp.stat(input);
  } catch (e) {
    throw new RleError('E_INPUT_MISSING', `cannot read: ${fsErrorReason(e)}`, { file: input });
  }
  if (stat.isDirectory()) {
    if ((await mlflowMetricsDir(input)) !== null) return 'mlflow';
    if ((await findEventFiles(input)).length > 0) return 'tfevents';
    throw new RleError('E_INPUT_FORMAT', 'neither an MLflow run folder (no metrics/) nor a folder holding events.out.tfevents.* files', { file: input });
  }
  if (EVENT_FILE.test(path.basename(input))) return 'tfevents';
  try {
    if (looksLikeTfRecord(await head(input, 12))) return 'tfevents';
  } catch (e) {
    throw new RleError('E_INPUT_MISSING', `cannot read: ${fsErrorReason(e)}`, { file: input });
  }
  return 'jsonl';
}

/** Imported training steps from a TensorBoard run, an MLflow run or a JSON-lines file. */
export async function readSteps(input: string, opts: ReadStepsOptions = {}): Promise<ImportResult> {
  const format = opts.format === undefined || opts.format === 'auto' ? await detectFormat(input) : opts.format;
  const tagMap = opts.tagMap ?? {};
  switch (format) {
    case 'tfevents':
      return readTfEvents(input, { tagMap });
    case 'mlflow':
      return readMlflow(input, { tagMap });
    case 'jsonl': {
      if (Object.keys(tagMap).length > 0) throw new RleError('E_OPTION', 'a tag map applies to TensorBoard and MLflow imports, not to JSON lines');
      return readStepsJsonl(input);
    }
  }
}
