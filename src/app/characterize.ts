/**
 * `rle characterize`: the standard workloads in turn — idle, stress, the synthetic patterns
 * and (with the training workload included) GPT-2 training — each a labelled, recorded
 * session, with a cool-down between them; then the thermal-personality table of the lot.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { compareRows, type CompareRow } from '../report/compare.js';
import { loadStoredSession } from '../replay/series.js';
import { trainOptions } from '../train/defaults.js';
import type { RecorderOptions } from './recorder.js';
import { withStore } from './session-input.js';
import { TrainJob } from './train-job.js';
import { WorkloadJob, type WorkloadKind } from './workload-job.js';
import type { Pattern } from '../workload/patterns.js';

export const PHASES: readonly { kind: WorkloadKind; pattern: Pattern; intensity: number }[] = [
  { kind: 'idle', pattern: 'constant', intensity: 0 },
  { kind: 'stress', pattern: 'constant', intensity: 1 },
  { kind: 'synthetic', pattern: 'constant', intensity: 0.5 },
  { kind: 'synthetic', pattern: 'ramp', intensity: 1 },
  { kind: 'synthetic', pattern: 'sine', intensity: 0.8 },
  { kind: 'synthetic', pattern: 'square', intensity: 0.8 },
];

/** Training steps enough to outlast any --duration (the duration ends the run). */
const TRAIN_STEPS = 100_000;

export interface CharacterizeOptions {
  readonly durationS: number;
  readonly threads: number;
  readonly cooldownS: number;
  readonly includeTrain: boolean;
  /** Each phase's recorder options (its CSV, if any, gets the phase's label). */
  readonly recorder: (label: string) => RecorderOptions;
  readonly log: (line: string) => void;
  /** Set true to stop after the phase in progress. */
  readonly stopped: () => boolean;
}

/** `out.csv` → `out-stress.csv`: one session CSV per phase. */
export function phaseFile(file: string, label: string): string {
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)}-${label}${ext}`;
}

async function runPhase(o: CharacterizeOptions, p: (typeof PHASES)[number]): Promise<{ id: string; label: string; status: string }> {
  const label = p.kind === 'synthetic' ? `synthetic-${p.pattern}` : p.kind;
  o.log(`rle characterize: ${p.kind}${p.kind === 'synthetic' ? ` ${p.pattern}` : ''} (${o.durationS} s)`);
  const job = await WorkloadJob.start({ kind: p.kind, durationS: o.durationS, threads: o.threads, pattern: p.pattern, intensity: p.intensity, periodS: null, recorder: o.recorder(label), log: () => undefined });
  const r = await job.done();
  return { id: r.session, label, status: r.status };
}

async function runTraining(o: CharacterizeOptions): Promise<{ id: string; label: string; status: string }> {
  o.log(`rle characterize: train (${o.durationS} s)`);
  const quiet = (): void => undefined;
  const job = await TrainJob.start({ train: trainOptions({ steps: TRAIN_STEPS, threads: o.threads }), recorder: o.recorder('train'), durationS: o.durationS, reportDir: null, out: quiet, note: quiet });
  const r = await job.done();
  return { id: r.session, label: 'train', status: r.status };
}

export async function characterize(o: CharacterizeOptions, db: string): Promise<CompareRow[]> {
  const done: { id: string; label: string }[] = [];
  const phases = [...PHASES.map((p) => () => runPhase(o, p)), ...(o.includeTrain ? [() => runTraining(o)] : [])];
  for (const [i, phase] of phases.entries()) {
    if (i > 0 && o.cooldownS > 0) {
      o.log(`rle characterize: cool-down ${o.cooldownS} s`);
      await sleep(o.cooldownS * 1000);
    }
    const r = await phase();
    done.push(r);
    if (r.status !== 'completed' || o.stopped()) break; // Ctrl-C: stop the sequence, report what ran
  }
  return withStore(db, (store) => done.flatMap((s) => compareRows(loadStoredSession(store, s.id), s.label))) ?? [];
}
