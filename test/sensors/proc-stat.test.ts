import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createProcStat, parseStat, utilization } from '../../src/sensors/proc-stat.js';
import type { Reading } from '../../src/sensors/types.js';
import { ctxAt, fixture, rng, tmpDir } from '../helpers.js';

function copyFixture(name: string): string {
  const dir = tmpDir();
  fs.cpSync(fixture(name), dir, { recursive: true });
  return dir;
}
const byId = (rs: readonly Reading[]) => new Map(rs.map((r) => [r.id, r]));

/** Rewrites /proc/stat with per-line column deltas; lines named in `drop` disappear (core offline). */
function advance(root: string, deltas: Record<string, number[]>, drop: string[] = []): void {
  const file = path.join(root, 'proc', 'stat');
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => !drop.includes(l.split(/\s+/)[0]!));
  const out = lines.map((line) => {
    const [name, ...cols] = line.split(/\s+/);
    const d = deltas[name!];
    return d ? [name, ...cols.map((c, i) => Number(c) + (d[i] ?? 0))].join(' ') : line;
  });
  fs.writeFileSync(file, out.join('\n'));
}

// Columns: user nice system idle iowait irq softirq steal guest guest_nice. cpu0's user includes
// 50 guest ticks, also shown in the guest column: counting that column would give 42.857…%.
const STEP: Record<string, number[]> = {
  cpu: [300, 0, 100, 500, 100, 0, 0, 0, 50, 0],
  cpu0: [150, 0, 50, 50, 0, 0, 0, 0, 50, 0],
  cpu1: [100, 0, 25, 100, 25],
  cpu2: [50, 0, 25, 150, 25],
  cpu3: [0, 0, 0, 200, 50],
};

describe('proc-stat', () => {
  it('is unavailable on the first read, then computes utilisation from the tick deltas', async () => {
    const root = copyFixture('intel');
    const src = createProcStat(ctxAt(root));
    await src.probe();
    const first = await src.read();
    assert.deepEqual(first.map((r) => r.id), ['cpu.util', 'cpu.core0.util', 'cpu.core1.util', 'cpu.core2.util', 'cpu.core3.util']);
    for (const r of first) {
      assert.equal(r.status, 'unavailable');
      assert.equal(r.reason, 'needs two readings (first sample)');
    }
    advance(root, STEP);
    const second = byId(await src.read());
    assert.equal(second.get('cpu.util')?.value, 40);
    assert.equal(second.get('cpu.util')?.primary, true);
    assert.equal(second.get('cpu.util')?.unit, '%');
    assert.deepEqual([0, 1, 2, 3].map((n) => second.get(`cpu.core${n}.util`)?.value), [80, 50, 30, 0]);
  });

  it('reports an offline core as unavailable and a counter that went backwards as no change', async () => {
    const root = copyFixture('intel');
    const src = createProcStat(ctxAt(root));
    await src.probe();
    await src.read();
    // cpu1's iowait drops by 10 (a NO_HZ quirk): counted as 0, so 100 busy of 200, not 100 of 190.
    advance(root, { cpu: [200, 0, 0, 200, 0], cpu0: [100, 0, 0, 100], cpu1: [100, 0, 0, 100, -10] }, ['cpu3']);
    const rs = byId(await src.read());
    assert.equal(rs.get('cpu.util')?.value, 50);
    assert.equal(rs.get('cpu.core1.util')?.value, 50);
    assert.equal(rs.get('cpu.core2.util')?.status, 'unavailable');
    assert.equal(rs.get('cpu.core2.util')?.reason, 'no clock ticks since the previous reading');
    const off = rs.get('cpu.core3.util');
    assert.equal(off?.status, 'unavailable');
    assert.match(off?.reason ?? '', /^cpu3 not listed in .*stat \(offline\)$/);
    // Back online: one more interval before it has a value again.
    advance(root, { cpu: [10, 0, 0, 10] });
    fs.appendFileSync(path.join(root, 'proc', 'stat'), '\ncpu3 1 0 0 1 0 0 0 0 0 0\n');
    assert.equal(byId(await src.read()).get('cpu.core3.util')?.reason, 'needs two readings (first sample)');
  });

  it('utilization() ignores guest columns and returns null when no tick elapsed', () => {
    assert.equal(utilization([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [30, 10, 10, 40, 10, 0, 0, 0, 99, 99]), 50);
    assert.equal(utilization([5, 5, 5, 5], [5, 5, 5, 5]), null);
  });

  it('parseStat() reads what the line regex read, on real, fixture and malformed text', () => {
    // The parser it replaced (split into lines, one regex per line), kept as the reference.
    const reference = (text: string) => {
      const snap = new Map<string, number[]>();
      for (const line of text.split('\n')) {
        const m = /^(cpu\d*)\s+(\d+(?:\s+\d+)*)\s*$/.exec(line);
        if (m) snap.set(m[1]!, m[2]!.split(/\s+/).slice(0, 8).map(Number));
      }
      return snap;
    };
    const texts = [fs.readFileSync('/proc/stat', 'utf8'), ...['intel', 'amd', 'zones-only'].map((f) => fs.readFileSync(path.join(fixture(f), 'proc', 'stat'), 'utf8'))];
    const mixed = 'cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 2 3\t4  5 \ncpu1 1 x 3\ncpu2\ncpuX 1 2\ncpu3 12 34 56 78 90\nintr 1 2 3\ncpu4 5 6 7 8';
    texts.push(mixed,
      'cpu 1\n\ncpu12 7 7 7 7 7 7 7 7 7 7 7 7\ncpu13 1 2 3 4x\ncpu14  \t 9\n cpu15 1 2\n',
    );
    // Random lines from the alphabet that matters (digits, separators, letters after a name).
    const u = rng(17);
    const pick = (s: string) => s[Math.floor(u() * s.length)]!;
    for (let n = 0; n < 300; n++) {
      const lines = Array.from({ length: 6 }, () => 'cpu' + Array.from({ length: Math.floor(u() * 14) }, () => pick('0123456789  \tx')).join(''));
      texts.push(lines.join('\n'));
    }
    for (const t of texts) assert.deepEqual(parseStat(t), reference(t), JSON.stringify(t.slice(0, 200)));
    assert.deepEqual([...parseStat(mixed)].map(([k, v]) => [k, v.length]), [['cpu', 8], ['cpu0', 5], ['cpu3', 5], ['cpu4', 4]]);
  });

  it('a missing root: everything unavailable, nothing throws', async () => {
    const src = createProcStat(ctxAt(path.join(tmpDir(), 'absent')));
    await src.probe();
    const rs = await src.read();
    assert.deepEqual(rs.map((r) => [r.id, r.status]), [['cpu.util', 'unavailable']]);
    assert.match(rs[0]?.reason ?? '', /stat not found$/);
    await src.close();
  });
});
