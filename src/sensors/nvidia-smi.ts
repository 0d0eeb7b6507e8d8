/**
 * NVIDIA GPUs through ONE long-lived `nvidia-smi --query-gpu=… -lms <period>` child, whose
 * lines are parsed as they arrive; read() only hands out the latest values (never a child per
 * sample, see ./types.ts). The child is restarted with backoff when it exits or hangs, and a
 * GPU with no recent line reports errors rather than repeating old values. Parsing and
 * conversion to readings live in ./nvidia-smi-parse.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  NO_ENERGY,
  fieldValue,
  gpuReadings,
  initialFieldNames,
  integrateEnergy,
  parseLine,
  queryList,
  rejectedField,
  withoutRejected,
  type EnergyState,
  type FieldNames,
  type GpuFailure,
  type GpuSample,
} from './nvidia-smi-parse.js';
import { failed, unavailable, type Reading, type SensorContext, type SensorSource } from './types.js';

export { decodeClockEventReasons, ratedPowerFromReadings } from './nvidia-smi-parse.js';

export interface NvidiaSmiOptions {
  /** A GPU with no line for this long reports errors, and a silent child is killed, ms. Default max(3 × period, 3000). */
  staleAfterMs?: number;
  /** Waits before successive restarts, ms; the last one repeats. Reset after a healthy run. */
  restartBackoffMs?: number[];
}

const DEFAULT_BACKOFF_MS = [1000, 2000, 5000, 10000, 30000];
/** SIGTERM → SIGKILL, ms: a child stuck in a driver call may ignore SIGTERM. */
const KILL_GRACE_MS = 500;
/**
 * Allowed before a child's first line, ms: without persistence mode, nvidia-smi can spend
 * seconds initialising the driver, which is not a hang.
 */
const STARTUP_GRACE_MS = 10_000;
/** Kept of a child's stderr and non-CSV stdout, chars: enough for nvidia-smi's error line. */
const MESSAGE_TAIL = 1000;

/** One spawned child. */
interface Run {
  readonly id: number;
  readonly proc: ChildProcess;
  readonly exited: Promise<void>;
  readonly markExited: () => void;
  readonly startedAt: number;
  firstLineAt: number | null;
  lastLineAt: number | null;
  messages: string;
  done: boolean;
  /** Set when we kill it (hang, close), so its exit is expected. */
  killReason: string | null;
}

interface Gpu {
  readonly sample: GpuSample;
  readonly energy: EnergyState;
  /** ctx.now() of its latest line, ms. */
  readonly at: number;
  readonly runId: number;
}

/** Tracks the first burst of lines, which probe() waits for. */
interface FirstBurst {
  readonly seen: Set<number>;
  settle: NodeJS.Timeout | null;
  readonly done: () => void;
}

export function createNvidiaSmi(ctx: SensorContext, opts: NvidiaSmiOptions = {}): SensorSource {
  return new NvidiaSmi(ctx, opts);
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

class NvidiaSmi implements SensorSource {
  readonly name = 'nvidia-smi';
  private readonly periodMs: number;
  private readonly staleAfterMs: number;
  private readonly backoffMs: readonly number[];
  private names: FieldNames = initialFieldNames();
  private readonly gpus = new Map<number, Gpu>();
  private run: Run | null = null;
  private runs = 0;
  private backoffStep = 0;
  private lastError: string | null = null;
  /** Why there can be no GPU data at all (no executable, no devices); no restarts then. */
  private gone: string | null = null;
  private closed = false;
  private started: Promise<void> | null = null;
  private burst: FirstBurst | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  /** If the owner never calls close(), the child still must not outlive us. */
  private readonly killOnExit = () => this.run?.proc.kill('SIGKILL');

  constructor(
    private readonly ctx: SensorContext,
    opts: NvidiaSmiOptions,
  ) {
    this.periodMs = Math.max(1, Math.round(ctx.periodMs));
    this.staleAfterMs = opts.staleAfterMs ?? Math.max(3 * this.periodMs, 3000);
    this.backoffMs = opts.restartBackoffMs?.length ? opts.restartBackoffMs : DEFAULT_BACKOFF_MS;
  }

  private args(names: FieldNames): string[] {
    return [`--query-gpu=${queryList(names).join(',')}`, '--format=csv,noheader,nounits', '-lms', String(this.periodMs)];
  }

  /** The command line, for display only (it is never run through a shell). */
  private get source(): string {
    return [this.ctx.nvidiaSmi ?? 'nvidia-smi', ...this.args(this.names)].join(' ');
  }

  probe(): Promise<void> {
    if (this.ctx.nvidiaSmi === null || this.closed) return Promise.resolve();
    this.started ??= this.start();
    return this.started;
  }

  /** Spawns the child and waits for its first burst: ≤ max(2 s, 3 periods). */
  private start(): Promise<void> {
    const ready = new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(deadline);
        if (this.burst?.settle) clearTimeout(this.burst.settle);
        this.burst = null;
        resolve();
      };
      const deadline = setTimeout(done, Math.max(2000, 3 * this.periodMs));
      deadline.unref();
      this.burst = { seen: new Set(), settle: null, done };
    });
    this.watchdog = setInterval(() => this.checkHung(), Math.max(10, Math.min(this.staleAfterMs / 4, 1000)));
    this.watchdog.unref();
    process.once('exit', this.killOnExit);
    this.spawnChild();
    return ready;
  }

  private spawnChild(): void {
    const exe = this.ctx.nvidiaSmi;
    this.restartTimer = null;
    if (exe === null || this.closed) return;
    const names = this.names;
    // An argument array and no shell: the path and fields are never interpreted.
    const proc = spawn(exe, this.args(names), { stdio: ['ignore', 'pipe', 'pipe'] });
    let markExited = () => {};
    const exited = new Promise<void>((r) => (markExited = r));
    const run: Run = {
      id: ++this.runs,
      proc,
      exited,
      markExited,
      startedAt: this.ctx.now(),
      firstLineAt: null,
      lastLineAt: null,
      messages: '',
      done: false,
      killReason: null,
    };
    this.run = run;
    const note = (text: string) => (run.messages = (run.messages + text).slice(-MESSAGE_TAIL));
    createInterface({ input: proc.stdout, crlfDelay: Infinity }).on('line', (line) => {
      const sample = parseLine(line, names);
      if (sample) this.onSample(run, sample);
      else if (line.trim() !== '') note(`${line.trim()}\n`);
    });
    proc.stderr.setEncoding('utf8').on('data', note);
    // 'error' without a pid is a failed spawn; later ones (a failed kill) change nothing.
    proc.on('error', (err: NodeJS.ErrnoException) => {
      if (proc.pid === undefined) this.finish(run, `nvidia-smi: ${err.message}`, err.code);
    });
    proc.on('close', (code, signal) => {
      const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
      const said = run.messages.trim().split('\n').at(-1);
      this.finish(run, `nvidia-smi ${how}${said ? `: ${said}` : ''}`);
    });
  }

  private onSample(run: Run, sample: GpuSample): void {
    if (run.done) return;
    const at = this.ctx.now();
    if (run.firstLineAt === null) {
      run.firstLineAt = at;
      this.lastError = null;
    }
    run.lastLineAt = at;
    // A child that has streamed for a whole stale window is healthy: forget earlier failures.
    if (at - run.firstLineAt >= this.staleAfterMs) this.backoffStep = 0;
    const power = fieldValue(sample, 'power.draw');
    const prev = this.gpus.get(sample.index)?.energy ?? NO_ENERGY;
    const energy = integrateEnergy(prev, 'value' in power ? power.value : null, at, this.staleAfterMs);
    this.gpus.set(sample.index, { sample, energy, at, runId: run.id });

    // The first burst is complete when an index repeats or the lines pause.
    const b = this.burst;
    if (!b) return;
    if (b.seen.has(sample.index)) return b.done();
    b.seen.add(sample.index);
    if (b.settle) clearTimeout(b.settle);
    b.settle = setTimeout(b.done, Math.min(200, Math.max(50, this.periodMs / 2)));
    b.settle.unref();
  }

  /** The child is gone: fall back to an older field name, give up, or restart with backoff. */
  private finish(run: Run, how: string, errno?: string): void {
    if (run.done) return;
    run.done = true;
    run.markExited();
    if (this.run === run) this.run = null;
    if (this.closed) return;
    const exe = this.ctx.nvidiaSmi ?? '';
    if (errno === 'ENOENT') return this.giveUp(`nvidia-smi not found (${exe})`);
    if (errno === 'EACCES') return this.giveUp(`nvidia-smi not executable (${exe})`);
    if (/No devices were found/i.test(run.messages)) return this.giveUp('nvidia-smi: No devices were found');
    const rejected = run.firstLineAt === null ? rejectedField(run.messages) : null;
    const names = rejected === null ? null : withoutRejected(this.names, rejected);
    if (names) {
      // An older driver: retry at once with the field's older name (or without it).
      this.names = names;
      return this.spawnChild();
    }
    const delay = this.backoffMs[Math.min(this.backoffStep, this.backoffMs.length - 1)] ?? 1000;
    this.backoffStep += 1;
    this.lastError = `${run.killReason ?? how}; restarting in ${seconds(delay)} s`;
    this.restartTimer = setTimeout(() => this.spawnChild(), delay);
    this.restartTimer.unref();
    // probe() need not sit out the backoff: read() reports the error meanwhile.
    this.burst?.done();
  }

  private giveUp(reason: string): void {
    this.gone = reason;
    if (this.watchdog) clearInterval(this.watchdog);
    this.burst?.done();
  }

  /** Kills a child that has printed nothing for staleAfterMs (longer at startup); finish() then restarts it. */
  private checkHung(): void {
    const run = this.run;
    if (!run || run.done || run.killReason !== null) return;
    const quietMs = this.ctx.now() - (run.lastLineAt ?? run.startedAt);
    if (quietMs <= (run.lastLineAt === null ? Math.max(this.staleAfterMs, STARTUP_GRACE_MS) : this.staleAfterMs)) return;
    run.killReason = `nvidia-smi hung: killed after ${seconds(quietMs)} s without output`;
    void this.kill(run);
  }

  private async kill(run: Run): Promise<void> {
    if (run.done) return;
    run.proc.kill('SIGTERM');
    const hard = setTimeout(() => run.proc.kill('SIGKILL'), KILL_GRACE_MS);
    hard.unref();
    await run.exited;
    clearTimeout(hard);
  }

  read(): Promise<Reading[]> {
    const source = this.source;
    const present = { id: 'gpu.present', device: 'gpu', kind: 'info' as const, unit: '', source };
    if (this.ctx.nvidiaSmi === null) return Promise.resolve([unavailable(present, 'NVIDIA GPUs disabled')]);
    if (this.gpus.size === 0) {
      if (this.gone) return Promise.resolve([unavailable(present, this.gone)]);
      const why = this.closed ? 'nvidia-smi source closed' : this.started ? 'no data from nvidia-smi yet' : 'nvidia-smi not probed';
      return Promise.resolve([failed(present, this.lastError ?? why)]);
    }
    const now = this.ctx.now();
    const out: Reading[] = [];
    for (const gpu of [...this.gpus.values()].sort((a, b) => a.sample.index - b.sample.index)) {
      out.push(...gpuReadings(gpu.sample, gpu.energy, source, this.failure(gpu, now), this.staleAfterMs / 1000));
    }
    return Promise.resolve(out);
  }

  /** Why a GPU's latest values are not current, or null when they are. */
  private failure(gpu: Gpu, now: number): GpuFailure | null {
    if (this.gone) return { status: 'unavailable', reason: this.gone };
    if (this.closed) return { status: 'error', reason: 'nvidia-smi source closed' };
    const run = this.run;
    const live = run !== null && !run.done && run.killReason === null;
    const ageMs = now - gpu.at;
    if (ageMs > this.staleAfterMs) {
      const context = live || this.lastError === null ? '' : ` (${this.lastError})`;
      return { status: 'error', reason: `stale: no data from nvidia-smi for ${seconds(ageMs)} s${context}` };
    }
    if (live && run.id === gpu.runId) return null;
    const why = live ? `no data for gpu${gpu.sample.index} since nvidia-smi restarted` : 'nvidia-smi is not running';
    return { status: 'error', reason: this.lastError ?? why };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    this.burst?.done();
    process.removeListener('exit', this.killOnExit);
    const run = this.run;
    if (run) {
      run.killReason = 'closed';
      await this.kill(run);
    }
  }
}
