import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createHwmon } from '../../src/sensors/hwmon.js';
import type { Reading } from '../../src/sensors/types.js';
import { ctxAt, fixture, tmpDir } from '../helpers.js';

const byId = (rs: readonly Reading[]) => new Map(rs.map((r) => [r.id, r]));

async function readAt(root: string): Promise<Reading[]> {
  const src = createHwmon(ctxAt(root));
  await src.probe();
  const rs = await src.read();
  await src.close();
  return rs;
}

/**
 * A sysfs-like tree: each chip's files live under devices/…/hwmon<N>, and class/hwmon/hwmon<N>
 * is a symlink to it, as on a real machine.
 */
function linkedTree(chips: { name: string; temps: Record<number, [label: string | null, milli: number]> }[]): string {
  const root = tmpDir();
  fs.mkdirSync(path.join(root, 'sys/class/hwmon'), { recursive: true });
  chips.forEach((chip, n) => {
    const real = path.join(root, `sys/devices/platform/chip.${n}/hwmon/hwmon${n}`);
    fs.mkdirSync(real, { recursive: true });
    fs.writeFileSync(path.join(real, 'name'), `${chip.name}\n`);
    for (const [i, [label, milli]] of Object.entries(chip.temps)) {
      fs.writeFileSync(path.join(real, `temp${i}_input`), `${milli}\n`);
      if (label !== null) fs.writeFileSync(path.join(real, `temp${i}_label`), `${label}\n`);
    }
    fs.symlinkSync(real, path.join(root, `sys/class/hwmon/hwmon${n}`));
  });
  return root;
}

describe('hwmon', () => {
  it('Intel: cpu.temp is coretemp "Package id 0"; every temp is an extra', async () => {
    const rs = await readAt(fixture('intel'));
    const cpu = rs[0]!;
    assert.deepEqual([cpu.id, cpu.status, cpu.value, cpu.unit, cpu.device, cpu.primary, cpu.detail],
      ['cpu.temp', 'ok', 52, '°C', 'cpu', true, 'coretemp Package id 0']);
    assert.match(cpu.source, /hwmon1\/temp1_input$/);
    assert.deepEqual([rs[1]!.id, rs[1]!.value, rs[1]!.detail], ['cpu.temp_limit', 100, 'temp1_crit'], "the package sensor's own limit (TjMax)");
    assert.deepEqual(
      rs.slice(2).map((r) => [r.id, r.value, r.device, r.detail]),
      [
        ['hwmon.acpitz.temp1', 27.8, 'acpitz', undefined],
        ['hwmon.coretemp.temp1', 52, 'cpu', 'Package id 0'],
        ['hwmon.coretemp.temp2', 49, 'cpu', 'Core 0'],
        ['hwmon.coretemp.temp3', 50, 'cpu', 'Core 1'],
        ['hwmon.coretemp.temp4', 51, 'cpu', 'Core 2'],
        ['hwmon.coretemp.temp5', 48, 'cpu', 'Core 3'],
      ],
    );
  });

  it('AMD: cpu.temp is k10temp Tctl, with Tccd1 and Tccd2 as extras', async () => {
    const rs = byId(await readAt(fixture('amd')));
    assert.equal(rs.get('cpu.temp')?.value, 61.25);
    assert.equal(rs.get('cpu.temp')?.detail, 'k10temp Tctl');
    assert.deepEqual([rs.get('hwmon.k10temp.temp3')?.value, rs.get('hwmon.k10temp.temp3')?.detail], [58.5, 'Tccd1']);
    assert.deepEqual([rs.get('hwmon.k10temp.temp4')?.value, rs.get('hwmon.k10temp.temp4')?.detail], [55.75, 'Tccd2']);
    assert.equal(rs.get('hwmon.nvme.temp1')?.device, 'nvme');
    assert.deepEqual([rs.get('cpu.temp_limit')?.value, rs.get('cpu.temp_limit')?.detail], [100, 'temp1_crit'], "Tctl's own crit");
    assert.equal(rs.size, 7);
  });

  it('no CPU chip: cpu.temp is unavailable but primary, naming the chips it saw', async () => {
    const cpu = (await readAt(fixture('zones-only')))[0]!;
    assert.deepEqual([cpu.id, cpu.status, cpu.value, cpu.primary], ['cpu.temp', 'unavailable', null, true]);
    assert.equal(cpu.reason, 'no CPU package sensor among hwmon chips: acpitz, nvme');
  });

  it('follows symlinked hwmon dirs and picks the lowest package id across sockets', async () => {
    const root = linkedTree([
      { name: 'coretemp', temps: { 1: ['Package id 1', 71000], 2: ['Core 0', 70000] } },
      { name: 'coretemp', temps: { 1: ['Package id 0', 64000], 2: ['Core 0', 60000] } },
    ]);
    const rs = byId(await readAt(root));
    assert.equal(rs.get('cpu.temp')?.value, 64);
    // Two chips share a name, so each id carries its index.
    assert.equal(rs.get('hwmon.coretemp-0.temp1')?.value, 71);
    assert.equal(rs.get('hwmon.coretemp-1.temp2')?.value, 60);
  });

  it('package rules: k10temp Tctl over Tdie, else Tdie; zenpower Tdie over Tctl; cpu_thermal temp1', async () => {
    const cases: [string, Record<number, [string | null, number]>, number][] = [
      ['k10temp', { 1: ['Tdie', 50000], 2: ['Tctl', 70000] }, 70],
      ['k10temp', { 1: ['Tdie', 45000], 3: ['Tccd1', 47000] }, 45],
      ['zenpower', { 1: ['Tctl', 58000], 2: ['Tdie', 48000] }, 48],
      ['cpu_thermal', { 1: [null, 43312] }, 43.312],
    ];
    for (const [name, temps, want] of cases) {
      const rs = await readAt(linkedTree([{ name: 'acpitz', temps: { 1: [null, 30000] } }, { name, temps }]));
      assert.equal(rs[0]?.value, want, name);
    }
  });

  it('a broken temp input is an error; the rest still reads', async () => {
    const src = createHwmon(ctxAt(fixture('intel')), {
      readFile: (p) => (p.endsWith('temp1_input') && p.includes('hwmon1')
        ? Promise.reject(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }))
        : fs.promises.readFile(p, 'utf8')),
    });
    const rs = byId(await src.read());
    assert.equal(rs.get('cpu.temp')?.status, 'error');
    assert.match(rs.get('cpu.temp')?.reason ?? '', /EIO/);
    assert.equal(rs.get('hwmon.coretemp.temp2')?.value, 49);
  });

  it('a missing root: an unavailable cpu.temp, nothing throws', async () => {
    const root = path.join(tmpDir(), 'absent');
    const rs = await readAt(root);
    assert.deepEqual(rs.map((r) => [r.id, r.status]), [['cpu.temp', 'unavailable'], ['cpu.temp_limit', 'unavailable']]);
    assert.equal(rs[0]?.reason, `no hwmon chips in ${path.join(root, 'sys', 'class', 'hwmon')}`);
  });
});
