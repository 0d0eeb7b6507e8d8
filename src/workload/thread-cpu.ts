/**
 * The calling thread's own CPU time, so that a duty-cycled load meets its duty in CPU time: on
 * a machine shared with other work a thread that computes "until 50 ms of wall time passed" is
 * preempted for part of it and gets less than its share, and counting that wall time as busy
 * overstates what it did. Linux gives a thread's time on a CPU, in ns, as the first field of
 * /proc/thread-self/schedstat; the file is kept open and re-read in place (one pread per call,
 * no allocation). Where it is missing (not Linux, schedstats off) the clock is the wall clock,
 * and says so.
 */
import fs from 'node:fs';

export interface ThreadClock {
  /** Milliseconds: this thread's CPU time since some fixed point (or wall time, see `kind`). */
  nowMs(): number;
  readonly kind: 'thread-cpu' | 'wall';
  close(): void;
}

const SCHEDSTAT = '/proc/thread-self/schedstat';

/** Parses the leading decimal integer of `buf[0, n)` (ns on CPU); NaN when there is none. */
export function leadingInteger(buf: Uint8Array, n: number): number {
  let v = 0, i = 0;
  for (; i < n; i++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
  }
  return i === 0 ? NaN : v;
}

/** A clock for the calling thread; `path` is for tests. */
export function threadClock(path = SCHEDSTAT): ThreadClock {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    return wallClock();
  }
  const buf = Buffer.alloc(64);
  const read = (): number => leadingInteger(buf, fs.readSync(fd, buf, 0, buf.length, 0)) / 1e6;
  if (!Number.isFinite(read())) {
    fs.closeSync(fd);
    return wallClock();
  }
  return { nowMs: read, kind: 'thread-cpu', close: () => fs.closeSync(fd) };
}

function wallClock(): ThreadClock {
  return { nowMs: () => performance.now(), kind: 'wall', close: () => undefined };
}
