import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createRapl, energyDelta } from '../../src/sensors/rapl.js';
import type { Reading, SensorContext } from '../../src/sensors/types.js';
import { FIXTURES, tmpDir } from '../helpers.js';

/** A context on `root` whose clock (ms) the test sets. */
function ctxAt(root: string): { ctx: SensorContext; clock: { ms: number } } {
  const clock = { ms: 0 };
  const ctx = { sysfsRoot: path.join(root, 'sys'), procfsRoot: path.join(root, 'proc'), nvidiaSmi: null, periodMs: 100, now: () => clock.ms };
  return { ctx, clock };
}
function copyFixture(name: string): string {
  const dir = tmpDir();
  fs.cpSync(path.join(FIXTURES, 'sysfs', name), dir, { recursive: true });
  return dir;
}
const byId = (rs: readonly Reading[]) => new Map(rs.map((r) => [r.id, r]));
const energyFile = (root: string, zone: string) => path.join(root, 'sys/class/powercap', zone, 'energy_uj');
const addUj = (root: string, zone: string, uj: number) => {
  const f = energyFile(root, zone);
  fs.writeFileSync(f, `${Number(fs.readFileSync(f, 'utf8')) + uj}\n`);
};
const MAX_UJ = 262143328850;

describe('rapl', () => {
  it('power is Δenergy/Δt; energy is a counter from 0 at the first read', async () => {
    const root = copyFixture('intel');
    const { ctx, clock } = ctxAt(root);
    const src = createRapl(ctx);
    await src.probe();
    clock.ms = 1000;
    const first = await src.read();
    assert.deepEqual(first.map((r) => [r.id, r.status, r.value]), [
      ['cpu.power', 'unavailable', null], ['cpu.energy', 'ok', 0],
      ['rapl.package-0.power', 'unavailable', null], ['rapl.package-0.energy', 'ok', 0],
      ['rapl.core.power', 'unavailable', null], ['rapl.core.energy', 'ok', 0],
      ['rapl.dram.power', 'unavailable', null], ['rapl.dram.energy', 'ok', 0],
    ]);
    assert.equal(first[0]?.reason, 'needs two energy readings (first sample)');
    assert.equal(first[0]?.primary, true);
    addUj(root, 'intel-rapl:0', 30e6);
    addUj(root, 'intel-rapl:0:0', 20e6);
    addUj(root, 'intel-rapl:0:1', 4e6);
    clock.ms = 3000;
    const rs = byId(await src.read());
    assert.deepEqual([rs.get('cpu.power')?.value, rs.get('cpu.power')?.unit], [15, 'W']);
    assert.deepEqual([rs.get('cpu.energy')?.value, rs.get('cpu.energy')?.unit], [30, 'J']);
    assert.equal(rs.get('rapl.package-0.power')?.value, 15);
    assert.equal(rs.get('rapl.core.power')?.value, 10);
    assert.equal(rs.get('rapl.dram.power')?.value, 2);
    assert.equal(rs.get('rapl.dram.energy')?.value, 4);
    assert.equal(rs.get('rapl.dram.power')?.detail, 'intel-rapl:0:1');
  });

  it('a counter that wraps past max_energy_range_uj still gives the right positive power', async () => {
    const root = copyFixture('intel');
    fs.writeFileSync(energyFile(root, 'intel-rapl:0'), '262100000000\n');
    const { ctx, clock } = ctxAt(root);
    const src = createRapl(ctx);
    await src.read();
    fs.writeFileSync(energyFile(root, 'intel-rapl:0'), '262130000000\n');
    clock.ms = 1000;
    assert.equal((await src.read())[0]?.value, 30);
    // 262143328850 − 262130000000 + 6671150 = 20 000 000 µJ in 1 s.
    fs.writeFileSync(energyFile(root, 'intel-rapl:0'), '6671150\n');
    clock.ms = 2000;
    const rs = await src.read();
    assert.deepEqual(rs.slice(0, 2).map((r) => r.value), [20, 50]);
    assert.equal(energyDelta(MAX_UJ - 5, 10, MAX_UJ), 15);
    assert.equal(energyDelta(100, 10, null), 0);
  });

  it('psys is reported but not added into cpu.power', async () => {
    const root = copyFixture('intel');
    const psys = path.join(root, 'sys/class/powercap/intel-rapl:1');
    fs.mkdirSync(psys);
    fs.writeFileSync(path.join(psys, 'name'), 'psys\n');
    fs.writeFileSync(path.join(psys, 'energy_uj'), '1000\n');
    const { ctx, clock } = ctxAt(root);
    const src = createRapl(ctx);
    await src.read();
    addUj(root, 'intel-rapl:0', 8e6);
    addUj(root, 'intel-rapl:1', 50e6);
    clock.ms = 2000;
    const rs = byId(await src.read());
    assert.equal(rs.get('cpu.power')?.value, 4);
    assert.equal(rs.get('rapl.psys.power')?.value, 25);
  });

  it('energy_uj denied (root-only since 5.10): cpu.power and cpu.energy unavailable with the reason', async () => {
    const root = path.join(FIXTURES, 'sysfs', 'rapl-denied');
    const readFile = (p: string) => (p.endsWith('energy_uj')
      ? Promise.reject(Object.assign(new Error(`EACCES: permission denied, open '${p}'`), { code: 'EACCES' }))
      : fs.promises.readFile(p, 'utf8'));
    const { ctx, clock } = ctxAt(root);
    const src = createRapl(ctx, { readFile });
    await src.probe();
    await src.read();
    clock.ms = 1000;
    const rs = await src.read();
    const file = energyFile(root, 'intel-rapl:0');
    const reason = `permission denied reading ${file} (energy_uj is root-only since Linux 5.10; run as root or grant read access)`;
    assert.deepEqual(rs.slice(0, 2).map((r) => [r.id, r.status, r.value, r.reason]), [
      ['cpu.power', 'unavailable', null, reason], ['cpu.energy', 'unavailable', null, reason],
    ]);
    assert.ok(rs.every((r) => r.status === 'unavailable'));
    assert.equal(rs.length, 8);
  });

  it('no powercap (or a missing root): unavailable, nothing throws', async () => {
    for (const root of [path.join(tmpDir(), 'absent'), path.join(FIXTURES, 'sysfs', 'zones-only')]) {
      const src = createRapl(ctxAt(root).ctx);
      await src.probe();
      const rs = await src.read();
      const why = `no RAPL zones in ${path.join(root, 'sys', 'class', 'powercap')}`;
      assert.deepEqual(rs.map((r) => [r.id, r.status, r.reason]), [['cpu.power', 'unavailable', why], ['cpu.energy', 'unavailable', why]]);
      await src.close();
    }
  });
});
