import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createHwmon } from '../../src/sensors/hwmon.js';
import { createThermalZone } from '../../src/sensors/thermal-zone.js';
import type { Reading } from '../../src/sensors/types.js';
import { ctxAt, fixture, tmpDir } from '../helpers.js';


async function readAt(root: string): Promise<Reading[]> {
  const src = createThermalZone(ctxAt(root));
  await src.probe();
  const rs = await src.read();
  await src.close();
  return rs;
}

function zonesTree(zones: [type: string, milli: number][]): string {
  const root = tmpDir();
  zones.forEach(([type, milli], n) => {
    const dir = path.join(root, `sys/class/thermal/thermal_zone${n}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'type'), `${type}\n`);
    fs.writeFileSync(path.join(dir, 'temp'), `${milli}\n`);
  });
  return root;
}

describe('thermal-zone', () => {
  it('zones-only: hwmon has no CPU package, the x86_pkg_temp zone fills cpu.temp', async () => {
    const ctx = ctxAt(fixture('zones-only'));
    const hw = (await createHwmon(ctx).read())[0];
    assert.deepEqual([hw?.id, hw?.status, hw?.primary], ['cpu.temp', 'unavailable', true]);
    const rs = await readAt(fixture('zones-only'));
    assert.deepEqual(
      rs.map((r) => [r.id, r.status, r.value, r.device, r.primary ?? false]),
      [
        ['cpu.temp', 'ok', 63, 'cpu', true],
        ['thermal.acpitz.zone0', 'ok', 35, 'acpitz', false],
        ['thermal.x86_pkg_temp.zone1', 'ok', 63, 'cpu', false],
      ],
    );
    assert.match(rs[0]?.source ?? '', /thermal_zone1\/temp$/);
    assert.equal(rs[0]?.detail, 'x86_pkg_temp');
  });

  it('prefers x86_pkg_temp over other CPU zones, then the lowest zone; names become id-safe', async () => {
    const rs = await readAt(zonesTree([['INT3400 Thermal', 20000], ['cpu-thermal', 50500], ['x86_pkg_temp', 57000]]));
    assert.equal(rs[0]?.value, 57);
    assert.equal(rs[1]?.id, 'thermal.INT3400_Thermal.zone0');
    assert.equal(rs[2]?.id, 'thermal.cpu-thermal.zone1');
    const arm = await readAt(zonesTree([['gpu-thermal', 40000], ['cpu1-thermal', 44000], ['cpu0-thermal', 45000]]));
    assert.equal(arm[0]?.value, 44);
  });

  it('no CPU zone: an unavailable cpu.temp naming the types it saw', async () => {
    const rs = await readAt(zonesTree([['acpitz', 27800], ['iwlwifi_1', 41000]]));
    assert.equal(rs[0]?.status, 'unavailable');
    assert.equal(rs[0]?.primary, true);
    assert.equal(rs[0]?.reason, 'no CPU thermal zone among types: acpitz, iwlwifi_1');
    assert.equal(rs[2]?.value, 41);
  });

  it('a missing root (or no zones): an unavailable cpu.temp, nothing throws', async () => {
    const root = path.join(tmpDir(), 'absent');
    const rs = await readAt(root);
    assert.deepEqual(rs.map((r) => [r.id, r.status]), [['cpu.temp', 'unavailable']]);
    assert.equal(rs[0]?.reason, `no thermal zones in ${path.join(root, 'sys', 'class', 'thermal')}`);
    assert.equal((await readAt(fixture('amd')))[0]?.status, 'unavailable');
  });
});
