/** Report folders appear whole or not at all. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { writeReportFolder } from '../../src/app/report.js';
import { tmpDir } from '../helpers.js';

describe('writeReportFolder', () => {
  it('a new folder is written beside its place and renamed into it, leaving nothing else', async () => {
    const parent = tmpDir();
    const dir = path.join(parent, 'rep');
    await writeReportFolder(dir, { 'a.txt': 'A', 'b.bin': Buffer.from([1, 2]) });
    assert.deepEqual(fs.readdirSync(parent), ['rep']);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['a.txt', 'b.bin']);
  });
  it('when a file cannot be written, no folder appears and no temp folder stays', async () => {
    const parent = tmpDir();
    const dir = path.join(parent, 'rep');
    // a name that cannot be a file in the folder (a path through a file) fails the second write
    await assert.rejects(writeReportFolder(dir, { 'a.txt': 'A', 'a.txt/b': 'B' }), /cannot write/);
    assert.deepEqual(fs.readdirSync(parent), []);
  });
  it('into an existing folder: all files written and flushed first, renamed only then; on failure the old files stay', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'a.txt'), 'old');
    await assert.rejects(writeReportFolder(dir, { 'a.txt': 'new', 'x/y.txt': 'B' }), /cannot write/);
    assert.equal(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8'), 'old');
    assert.deepEqual(fs.readdirSync(dir), ['a.txt'], 'no temp files');
    await writeReportFolder(dir, { 'a.txt': 'new' });
    assert.equal(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8'), 'new');
  });
  it('a path that is a file is refused', async () => {
    const f = path.join(tmpDir(), 'f');
    fs.writeFileSync(f, '');
    await assert.rejects(writeReportFolder(f, { 'a.txt': 'A' }), /not a folder/);
  });
});
