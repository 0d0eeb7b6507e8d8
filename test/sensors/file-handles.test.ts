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
  }
});
