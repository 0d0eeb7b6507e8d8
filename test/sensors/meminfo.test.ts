import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createMeminfo } from '../../src/sensors/meminfo.js';
import { ctxAt, fixture, tmpDir } from '../helpers.js';


describe('meminfo', () => {
  it('total, used = total − available (kB → bytes) and util in %', async () => {
    const src = createMeminfo(ctxAt(fixture('intel')));
    await src.probe();
    const rs = await src.read();
    assert.deepEqual(rs.map((r) => [r.id, r.status, r.value, r.kind, r.unit, r.device]), [
      ['mem.total', 'ok', 16384000 * 1024, 'mem', 'bytes', 'mem'],
      ['mem.used', 'ok', 4096000 * 1024, 'mem', 'bytes', 'mem'],
      ['mem.util', 'ok', 25, 'util', '%', 'mem'],
    ]);
    assert.equal((await createMeminfo(ctxAt(fixture('amd'))).read())[2]?.value, 75);
  });

  it('without MemAvailable (Linux < 3.14): total only, used and util unavailable', async () => {
    const root = tmpDir();
    fs.mkdirSync(path.join(root, 'proc'));
    fs.writeFileSync(path.join(root, 'proc', 'meminfo'), 'MemTotal:        2048000 kB\nMemFree:          512000 kB\n');
    const rs = await createMeminfo(ctxAt(root)).read();
    assert.deepEqual(rs.map((r) => [r.id, r.status, r.value]), [
      ['mem.total', 'ok', 2048000 * 1024], ['mem.used', 'unavailable', null], ['mem.util', 'unavailable', null],
    ]);
    assert.match(rs[1]?.reason ?? '', /^no MemAvailable in .*meminfo \(Linux before 3\.14\)$/);
  });

  it('a missing root: everything unavailable, nothing throws', async () => {
    const src = createMeminfo(ctxAt(path.join(tmpDir(), 'absent')));
    await src.probe();
    const rs = await src.read();
    assert.deepEqual(rs.map((r) => [r.id, r.status]), [['mem.total', 'unavailable'], ['mem.used', 'unavailable'], ['mem.util', 'unavailable']]);
    assert.match(rs[0]?.reason ?? '', /meminfo not found$/);
    await src.close();
  });
});
