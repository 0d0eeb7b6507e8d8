/**
 * `rle augment` writes, byte for byte, what the build before its speed-up (issue #17) wrote:
 * for crafted inputs that reach every path of the reader and writer (output and warnings
 * compared whole), and for every golden session (output compared by SHA-256).
 * See test/fixtures/augment/README.md.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, fixtureFile, runCli, tmpDir } from '../helpers.js';

const DIR = path.join(FIXTURES, 'augment');

interface Case {
  readonly name: string;
  readonly input: string;
  readonly args: readonly string[];
}

const cases = JSON.parse(fs.readFileSync(path.join(DIR, 'cases.json'), 'utf8')) as Case[];
const goldenHashes = JSON.parse(fs.readFileSync(path.join(DIR, 'golden-outputs.json'), 'utf8')) as Record<string, string>;

/** The first line where two texts differ, for a readable failure. */
function firstDifference(ours: string, theirs: string): string {
  const a = ours.split('\n');
  const b = theirs.split('\n');
  const i = a.findIndex((l, k) => l !== b[k]);
  return i < 0 ? `lengths ${ours.length} vs ${theirs.length}` : `line ${i + 1}:\n  now:    ${a[i]}\n  before: ${b[i]}`;
}

describe('rle augment output is unchanged by #17', () => {
  for (const c of cases) {
    it(`crafted case ${c.name}: the same bytes and warnings`, async () => {
      const out = path.join(tmpDir(), 'out.csv');
      const r = await runCli(['augment', c.input, ...c.args, '-o', out], { cwd: DIR });
      assert.equal(r.code, 0, r.stderr);
      const ours = fs.readFileSync(out);
      const before = fs.readFileSync(path.join(DIR, `${c.name}.out.csv`));
      assert.ok(ours.equals(before), firstDifference(ours.toString('utf8'), before.toString('utf8')));
      assert.equal(r.stderr, fs.readFileSync(path.join(DIR, `${c.name}.err.txt`), 'utf8'));
    });
  }
  it('the crafted cases are all there (a missing expected file fails, not skips)', () => {
    assert.equal(cases.length, 6);
    for (const c of cases) assert.ok(fs.existsSync(path.join(DIR, `${c.name}.out.csv`)), c.name);
  });
  for (const [name, sha256] of Object.entries(goldenHashes)) {
    it(`golden session ${name}: the same bytes`, async () => {
      const dir = tmpDir();
      const input = fixtureFile(`golden/${name}.in.csv.gz`, dir);
      const out = path.join(dir, 'out.csv');
      const r = await runCli(['augment', input, '-o', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(createHash('sha256').update(fs.readFileSync(out)).digest('hex'), sha256);
    });
  }
});
