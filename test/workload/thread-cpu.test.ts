import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { leadingInteger, threadClock } from '../../src/workload/thread-cpu.js';
import { tmpDir } from '../helpers.js';

const spin = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('threadClock', () => {
  it('parses the leading integer of schedstat', () => {
    const b = Buffer.from('490149 968987 1\n');
    assert.equal(leadingInteger(b, b.length), 490149);
    assert.ok(Number.isNaN(leadingInteger(Buffer.from('x1'), 2)));
    assert.ok(Number.isNaN(leadingInteger(b, 0)));
  });

  it('counts this thread’s CPU time: computing advances it, sleeping does not', async (t) => {
    const c = threadClock();
    if (c.kind !== 'thread-cpu') {
      t.skip('no /proc/thread-self/schedstat here');
      return;
    }
    try {
      // Spin until the thread has had 30 ms on a CPU (a busy machine gives it less than its wall
      // time, never more), at most 10 s.
      const a = c.nowMs(), w0 = performance.now();
      while (c.nowMs() - a < 30 && performance.now() - w0 < 10_000) spin(1);
      const b = c.nowMs(), wall = performance.now() - w0;
      await new Promise((r) => setTimeout(r, 80));
      const d = c.nowMs();
      assert.ok(b - a >= 30 && b - a <= wall + 1, `spun ${wall.toFixed(1)} ms: ${b - a} ms of CPU`);
      assert.ok(d - b < 15, `sleep 80 ms: ${d - b} ms of CPU`);
    } finally {
      c.close();
    }
  });

  it('falls back to the wall clock, saying so, where the file is missing or unreadable', () => {
    assert.equal(threadClock('/nonexistent/schedstat').kind, 'wall');
    const p = path.join(tmpDir(), 'schedstat');
    fs.writeFileSync(p, 'garbage\n');
    assert.equal(threadClock(p).kind, 'wall');
    fs.writeFileSync(p, '123000000 5 1\n');
    const c = threadClock(p);
    assert.equal(c.kind, 'thread-cpu');
    assert.equal(c.nowMs(), 123);
    fs.writeFileSync(p, '124500000 5 1\n');
    assert.equal(c.nowMs(), 124.5);
    c.close();
  });
});
