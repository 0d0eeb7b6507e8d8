/**
 * `rle run` as a job: any command (an argument vector, never a shell string), recorded while
 * it runs, its output passed through, and its training metrics captured as steps on the
 * session clock. The caller forwards Ctrl-C with stop() and exits with the command's code.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { RleError } from '../errors.js';
import type { SessionSummary } from '../analysis/summary.js';
import type { MetricFormat } from '../capture/metric-lines.js';
import { StepCollector } from '../capture/step-collector.js';
import { FileTail } from '../capture/tail-file.js';
import { PKG_ROOT } from '../package-root.js';
import type { EndStatus, StepRecord } from '../store/session-store.js';
import { Recorder, type RecorderOptions } from './recorder.js';

export interface RunJobOptions {
  readonly command: readonly string[];
  /** The child's environment (the caller's, normally); rle adds what the helper and Python need. */
  readonly env: NodeJS.ProcessEnv;
  /** Warnings for people (a burst of buffered steps). */
  readonly warn: (line: string) => void;
  readonly recorder: RecorderOptions;
  readonly format: MetricFormat;
  /** Tail this file for metrics instead of the command's output. */
  readonly metricsFile: string | null;
  /** Where the command's stdout and stderr are passed through. */
  readonly stdout: Writable;
  readonly stderr: Writable;
}

export interface RunJobResult {
  readonly session: string;
  readonly status: EndStatus;
  /** The command's exit code (128 + signal number when killed). */
  readonly exitCode: number;
  /** How it ended, for people: `code 0`, `SIGTERM`. */
  readonly how: string;
  readonly steps: number;
  /** The steps captured, in step order. */
  readonly stepList: StepRecord[];
  readonly nonFinite: number;
  /** Steps that arrived in a burst with no time of their own (left out of the time alignment). */
  readonly burst: number;
  readonly summary: SessionSummary;
  readonly notes: readonly string[];
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class RunJob {
  private forwarded: NodeJS.Signals | null = null;
  private child: ReturnType<typeof spawn> | null = null;

  private constructor(
    private readonly o: RunJobOptions,
    readonly recorder: Recorder,
  ) {}

  static async start(o: RunJobOptions): Promise<RunJob> {
    const exe = o.command[0];
    if (!exe) throw new RleError('E_USAGE', 'no command to run (rle run [options] -- <command> [args…])');
    // Checked before the session exists: a typo must not leave an empty failed session.
    if (!findExecutable(exe)) throw new RleError('E_INPUT_MISSING', `cannot run "${exe}": no such command (or not executable)`);
    return new RunJob(o, await Recorder.start({ ...o.recorder, manifest: { ...o.recorder.manifest, command: o.command } }));
  }

  /** Forwards a signal to the command; it decides how to end. */
  stop(sig: NodeJS.Signals): void {
    this.forwarded = sig;
    this.child?.kill(sig);
  }

  async done(): Promise<RunJobResult> {
    const [exe, ...args] = this.o.command as [string, ...string[]];
    const rec = this.recorder;
    const captured = new Map<number, StepRecord>();
    const steps = new StepCollector(
      () => rec.nowS(),
      this.o.format,
      (s) => {
        captured.set(s.step, s);
        void rec.step(s);
      },
      () =>
        this.o.warn(
          "training steps are arriving in bursts with no time of their own: the command's output is buffered, so their arrival says nothing about when they ran; they are left out of the time alignment. " +
            'Fix: print a "time" (Unix seconds) in each JSON line, use the rle_steps helper (python/rle_steps.py), or flush stdout after each step.',
        ),
    );
    const sampling = rec.run();
    let tail: FileTail | null = null;
    let exit: Exit;
    try {
      exit = await this.spawnChild(exe, args, steps, (t) => (tail = t));
      await (tail as FileTail | null)?.stop();
    } catch (e) {
      await (tail as FileTail | null)?.stop();
      await rec.end('failed');
      await sampling.catch(() => undefined);
      throw e;
    }
    // Killed, or ended after we passed it Ctrl-C/SIGTERM (even if it exited with a code of its own).
    const status: EndStatus = exit.signal || (this.forwarded && exit.code !== 0) ? 'interrupted' : exit.code === 0 ? 'completed' : 'failed';
    const end = await rec.end(status);
    await sampling;
    return {
      session: rec.id,
      status,
      exitCode: exit.code ?? 128 + (os.constants.signals[exit.signal!] ?? 0),
      how: exit.signal ?? `code ${exit.code}`,
      steps: steps.count,
      stepList: [...captured.values()].sort((a, b) => a.step - b.step),
      nonFinite: steps.nonFinite,
      burst: steps.burst,
      summary: end.summary,
      notes: end.notes,
    };
  }

  /** The child's environment: unbuffered Python unless the user chose, the helper importable and told where to write. */
  private childEnv(stepsFile: string): NodeJS.ProcessEnv {
    const env = { ...this.o.env };
    env.PYTHONUNBUFFERED ??= '1';
    const helper = path.join(PKG_ROOT, 'python');
    env.PYTHONPATH = env.PYTHONPATH ? `${helper}${path.delimiter}${env.PYTHONPATH}` : helper;
    env.RLE_STEPS_FILE = stepsFile;
    return env;
  }

  private spawnChild(exe: string, args: string[], steps: StepCollector, onTail: (t: FileTail) => void): Promise<Exit> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rle-run-'));
    const stepsFile = path.join(dir, 'steps.jsonl');
    const child = (this.child = spawn(exe, args, { stdio: ['inherit', 'pipe', 'pipe'], env: this.childEnv(stepsFile) }));
    // The helper's file: tailed as well as the output (a step seen twice is merged by number).
    const helperTail = new FileTail(stepsFile, steps.stream());
    helperTail.start();
    const fromOut = steps.stream();
    const fromErr = steps.stream();
    const fromOutput = !this.o.metricsFile;
    child.stdout.on('data', (c: Buffer) => {
      this.o.stdout.write(c);
      if (fromOutput) fromOut(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      this.o.stderr.write(c);
      if (fromOutput) fromErr(c);
    });
    if (this.o.metricsFile) {
      const tail = new FileTail(this.o.metricsFile, steps.stream());
      tail.start();
      onTail(tail);
    }
    if (this.forwarded) child.kill(this.forwarded);
    return new Promise<Exit>((resolve, reject) => {
      child.once('error', (e: NodeJS.ErrnoException) =>
        reject(new RleError('E_INPUT_MISSING', e.code === 'ENOENT' ? `cannot run "${exe}": no such command` : `cannot run "${exe}": ${e.message}`)),
      );
      child.once('close', (code, signal) => {
        fromOut(null);
        fromErr(null);
        // What the helper wrote last is read before the session ends.
        void helperTail.stop().then(() => {
          fs.rmSync(dir, { recursive: true, force: true });
          resolve({ code, signal });
        });
      });
    });
  }
}

function executable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Whether `exe` runs: a path to an executable file, or a name found on PATH (as spawn looks it up). */
export function findExecutable(exe: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (exe.includes('/')) return executable(exe);
  return (env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && executable(path.join(dir, exe)));
}
