/**
 * Temp files of outputs in progress are named `.<target>.<pid>.<8 hex>.tmp` (files and report
 * folders alike), beside their target. A run killed with SIGKILL cannot remove its own, so
 * the next output into the same folder removes those whose process is gone.
 */
import fs from 'node:fs';
import path from 'node:path';

/** `.<name>.<pid>.<hex>.tmp`: the pid is the second-last dotted part. */
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

export function tempName(target: string, hex: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${hex}.tmp`);
}

/** Whether process `pid` exists (EPERM: it does, but is another user's). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The stale temp files (or folders) in `dir`: names of rle's pattern whose process has exited. */
export function staleTemps(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => {
    const m = TEMP_NAME.exec(n);
    return m !== null && !alive(Number(m[1]));
  });
}

/** Removes the stale temps of `dir`; quietly does nothing where it cannot (the folder is not ours to fail on). */
export function removeStaleTemps(dir: string): number {
  let n = 0;
  for (const name of staleTemps(dir)) {
    try {
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
      n++;
    } catch {
      // another run removed it, or it is not ours to remove
    }
  }
  return n;
}
