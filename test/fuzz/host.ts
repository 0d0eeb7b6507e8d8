/**
 * The fuzz test's host: a child process that runs CLI invocations in-process, one after the
 * other, through the same execute() as bin/rle (node's start-up and module loading, ~0.25 s of
 * CPU per spawn, is paid once instead of per case). Each case's stdout and stderr are
 * captured; its exit code is execute()'s, else process.exitCode, as the process would end.
 * The parent sends {id, args, env} over IPC and kills this host at its time limit.
 */
import { execute } from '../../src/cli/execute.js';
import { removePendingOutputs } from '../../src/store/files.js';

export interface HostCase {
  readonly id: number;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}
export interface HostResult {
  readonly id: number;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

type Write = typeof process.stdout.write;
let out = '';
let err = '';
const capture = (append: (s: string) => void): Write =>
  ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const cb = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
    if (cb) process.nextTick(cb);
    return true;
  });
process.stdout.write = capture((s) => (out += s));
process.stderr.write = capture((s) => (err += s));

async function runCase(c: HostCase): Promise<HostResult> {
  out = '';
  err = '';
  process.exitCode = undefined;
  const saved = Object.fromEntries(Object.keys(c.env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, c.env);
  try {
    const code = (await execute(['node', 'rle', ...c.args])) ?? Number(process.exitCode ?? 0);
    removePendingOutputs();
    return { id: c.id, code, stdout: out, stderr: err };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    process.exitCode = undefined;
  }
}

process.on('message', (c: HostCase) => {
  void runCase(c).then((r) => process.send!(r));
});
