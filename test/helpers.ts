/** Test helpers: run the CLI as a user would, temp folders, fixtures, a seeded PRNG. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { mulberry32 } from '../src/core/random.js';
import type { SensorContext } from '../src/sensors/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Repository root (tests run from .test-build/test). */
export const ROOT = path.resolve(here, '..', '..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');
/** The CLI compiled from the same sources as the tests. */
export const CLI = path.resolve(here, '..', 'src', 'cli', 'main.js');
/** ../shared/data beside the repository, when present. */
export const SHARED_DATA = path.resolve(ROOT, '..', 'shared', 'data');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Killed at RunOptions.timeoutMs. */
  timedOut?: boolean;
  /** Wall time, ms. */
  ms?: number;
}

export interface RunOptions {
  stdin?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run with `env` alone, not added to this process's environment (to unset a variable). */
  clearEnv?: boolean;
  /** Kill the CLI (SIGKILL) after this long: a hang fails the test instead of stalling it. */
  timeoutMs?: number;
}

export function runCli(args: readonly string[], opts: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env = opts.clearEnv ? { ...opts.env } : { ...process.env, ...opts.env };
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, stdio: 'pipe', env });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const t0 = performance.now();
    const timer = opts.timeoutMs === undefined ? null : setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), opts.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, timedOut, ms: performance.now() - t0 });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

const made: string[] = [];
process.on('exit', () => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temp folder, removed when the test process exits. */
export function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'rle-test-'));
  made.push(d);
  return d;
}

/** A fixture file's text; `.gz` files are decompressed. */
export function fixtureText(rel: string): string {
  const p = path.join(FIXTURES, rel);
  const buf = fs.readFileSync(p);
  return (p.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
}

/** Writes a gunzipped fixture to a temp file and returns its path. */
export function fixtureFile(rel: string, dir = tmpDir()): string {
  const out = path.join(dir, path.basename(rel).replace(/\.gz$/, ''));
  fs.writeFileSync(out, fixtureText(rel));
  return out;
}

/** A fixture tree (`test/fixtures/sysfs/<name>`, holding `sys/` and `proc/`). */
export function fixture(name: string): string {
  return path.join(FIXTURES, 'sysfs', name);
}

/** A sensor context rooted at a fixture-style tree, no GPUs, a frozen clock. */
export function ctxAt(root: string): SensorContext {
  return { sysfsRoot: path.join(root, 'sys'), procfsRoot: path.join(root, 'proc'), nvidiaSmi: null, periodMs: 100, now: () => 0 };
}

/** The fake nvidia-smi, copied executable into a temp folder (git may not keep the mode). */
export function fakeNvidiaSmi(dir = tmpDir()): string {
  const p = path.join(dir, 'nvidia-smi');
  fs.copyFileSync(path.join(FIXTURES, 'nvidia-smi', 'fake-nvidia-smi'), p);
  fs.chmodSync(p, 0o755);
  return p;
}

/** Seeded uniform [0, 1) source for synthetic test signals (the project's one PRNG). */
export const rng = mulberry32;

/** Standard normal from a uniform source (Box–Muller). */
export function gauss(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Minimal CSV split for test assertions on files rle itself wrote (no quoted fields). */
export function csvRows(text: string): string[][] {
  return text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.split(','));
}
