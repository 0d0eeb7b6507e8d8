import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FileHandleCache } from '../../src/sensors/file-handles.js';
import { tmpDir } from '../helpers.js';

describe('FileHandleCache', () => {
  for (const [name, prefix] of [['async (sysfs)', '/nowhere/'], ['sync (procfs)', '']] as const) {
    it(`${name}: re-reads changed content through the kept handle, grows for large files`, async () => {
      const dir = tmpDir();
      const p = path.join(dir, 'energy_uj');
      const cache = new FileHandleCache(prefix === '' ? dir : prefix);
      fs.writeFileSync(p, '123\n');
      assert.equal(await cache.read(p), '123\n');
      fs.writeFileSync(p, '4567890\n'); // same inode, new content (as sysfs regenerates it)
      assert.equal(await cache.read(p), '4567890\n');
      const big = 'cpu0 1 2 3 4 5 6 7 8\n'.repeat(1000); // ~21 kB: several buffer doublings
      fs.writeFileSync(p, big);
      assert.equal(await cache.read(p), big);
      fs.writeFileSync(p, 'short\n');
      assert.equal(await cache.read(p), 'short\n');
      await cache.closeAll();
    });
    it(`${name}: a missing file rejects with its code, and is retried on the next read`, async () => {
      const dir = tmpDir();
      const p = path.join(dir, 'temp1_input');
      const cache = new FileHandleCache(prefix === '' ? dir : prefix);
      await assert.rejects(cache.read(p), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
      fs.writeFileSync(p, '42000\n');
      assert.equal(await cache.read(p), '42000\n');
      await cache.closeAll();
    });
    it(`${name}: sees a file replaced under its kept descriptor (rename over it), and one deleted then recreated`, async () => {
      const dir = tmpDir();
      const p = path.join(dir, 'temp1_input');
      const cache = new FileHandleCache(prefix === '' ? dir : prefix);
      fs.writeFileSync(p, '41000\n');
      assert.equal(await cache.read(p), '41000\n');
      fs.writeFileSync(`${p}.tmp`, '52000\n');
      fs.renameSync(`${p}.tmp`, p); // a new inode at the same path: the kept one still holds 41000
      assert.equal(await cache.read(p), '52000\n');
      fs.rmSync(p);
      await assert.rejects(cache.read(p), (e: NodeJS.ErrnoException) => e.code === 'ENOENT', 'a deleted file is gone, not its old content');
      fs.writeFileSync(p, '63000\n');
      assert.equal(await cache.read(p), '63000\n');
      await cache.closeAll();
    });
    it(`${name}: a sensor directory removed while kept open rejects (ENOENT) and does not crash`, async () => {
      const dir = tmpDir();
      const d = path.join(dir, 'hwmon0');
      fs.mkdirSync(d);
      const p = path.join(d, 'temp1_input');
      fs.writeFileSync(p, '41000\n');
      const cache = new FileHandleCache(prefix === '' ? dir : prefix);
      assert.equal(await cache.read(p), '41000\n');
      fs.rmSync(d, { recursive: true });
      await assert.rejects(cache.read(p), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
      await assert.rejects(cache.read(p), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
      await cache.closeAll();
    });
  }
  it('a kernel file (procfs) is read through its kept descriptor and regenerated on each read', async () => {
    const cache = new FileHandleCache('/proc/');
    const p = '/proc/self/stat';
    // Field 14 is this process's user time in clock ticks: burn some CPU between reads.
    const utime = (text: string) => Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[11]);
    const before = utime(await cache.read(p));
    const t0 = performance.now();
    let after = before;
    let sink = 0;
    while (after === before && performance.now() - t0 < 5000) {
      for (let i = 0; i < 1e6; i++) sink += i;
      after = utime(await cache.read(p));
    }
    assert.ok(after > before && sink > 0, 'the same descriptor gives fresh content');
    await cache.closeAll();
  });
});
