import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createCpufreq } from '../../src/sensors/cpufreq.js';
import { ctxAt, fixture, tmpDir } from '../helpers.js';


describe('cpufreq', () => {
  it('reads scaling_cur_freq per core in MHz and their mean', async () => {
    const src = createCpufreq(ctxAt(fixture('intel')));
    await src.probe();
    const rs = await src.read();
    assert.deepEqual(
      rs.map((r) => [r.id, r.status, r.value, r.unit, r.kind, r.device]),
      [
        ['cpu.freq', 'ok', 3000, 'MHz', 'freq', 'cpu'],
        ['cpu.freq_max', 'ok', 4600, 'MHz', 'freq', 'cpu'],
        ['cpu.clock_ratio', 'ok', 3000 / 4600, '', 'ratio', 'cpu'],
        ['cpu.core0.freq', 'ok', 3400, 'MHz', 'freq', 'cpu'],
        ['cpu.core1.freq', 'ok', 2800, 'MHz', 'freq', 'cpu'],
        ['cpu.core2.freq', 'ok', 1200, 'MHz', 'freq', 'cpu'],
        ['cpu.core3.freq', 'ok', 4600, 'MHz', 'freq', 'cpu'],
      ],
    );
    assert.match(rs[3]?.source ?? '', /cpu0\/cpufreq\/scaling_cur_freq$/);
    assert.equal(rs[2]?.provenance, 'derived', 'the clock ratio is derived from two measurements');
  });

  it('sorts cores numerically and averages the 8 AMD cores', async () => {
    const rs = await createCpufreq(ctxAt(fixture('amd'))).read();
    assert.equal(rs.length, 11);
    assert.equal(rs[0]?.value, 3350);
    assert.equal(rs[10]?.id, 'cpu.core7.freq');
    assert.equal(rs[2]?.status, 'unavailable', 'no cpuinfo_max_freq here: no clock ratio');
    assert.match(rs[2]?.reason ?? '', /no cpuinfo_max_freq/);
  });

  it('a core that goes offline is unavailable and left out of the mean', async () => {
    const root = tmpDir();
    fs.cpSync(fixture('intel'), root, { recursive: true });
    // A plain reader: on a real sysfs an offline core's open attribute fails with ENODEV, but a
    // kept-open handle on this test's ordinary files would still read the deleted file.
    const src = createCpufreq(ctxAt(root), { readFile: (p) => fs.promises.readFile(p, 'utf8') });
    await src.probe();
    fs.rmSync(path.join(root, 'sys/devices/system/cpu/cpu3/cpufreq'), { recursive: true });
    const rs = await src.read();
    assert.equal(rs[0]?.value, 2466.6666666666665);
    assert.equal(rs[2]?.value, (3400 + 2800 + 1200) / (3 * 4600), 'the ratio over the cores that answered');
    assert.equal(rs[6]?.status, 'unavailable');
    assert.match(rs[6]?.reason ?? '', /cpu3\/cpufreq\/scaling_cur_freq not found$/);
  });

  it('a missing root: one unavailable cpu.freq, nothing throws', async () => {
    const root = path.join(tmpDir(), 'absent');
    const src = createCpufreq(ctxAt(root));
    await src.probe();
    const rs = await src.read();
    assert.equal(rs.length, 1);
    assert.equal(rs[0]?.id, 'cpu.freq');
    assert.equal(rs[0]?.status, 'unavailable');
    assert.equal(rs[0]?.reason, `no cpufreq in ${path.join(root, 'sys', 'devices', 'system', 'cpu')}`);
    assert.equal((await createCpufreq(ctxAt(fixture('zones-only'))).read())[0]?.status, 'unavailable');
    await src.close();
  });
});
