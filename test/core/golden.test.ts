/**
 * The engine against the golden files: `rle augment` over every golden case must agree to 1e-9
 * relative on every numeric column and exactly on `collapse` (spec + ../shared/data/README.md).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, SHARED_DATA, csvRows, fixtureFile, runCli, tmpDir } from '../helpers.js';

const REL_TOL = 1e-9;
/** Below this magnitude both sides count as zero (relative error is meaningless at 0). */
const ZERO = 1e-300;

/**
 * Compares our augmented CSV with a golden one, column by column by name.
 * util_pct: a missing utilization is empty in our output (no invented readings) where the
 * golden files wrote the 0 that the formula uses for it (spec step 1); both mean "counted as 0".
 */
function compareWithGolden(ours: string, golden: string): string[] {
  const a = csvRows(ours);
  const b = csvRows(golden);
  const problems: string[] = [];
  if (a.length !== b.length) problems.push(`row count ${a.length - 1} vs golden ${b.length - 1}`);
  const ha = a[0]!;
  const hb = b[0]!;
  for (let i = 1; i < Math.min(a.length, b.length) && problems.length < 10; i++) {
    const ra = a[i]!;
    const rb = b[i]!;
    for (let j = 0; j < hb.length; j++) {
      const col = hb[j]!;
      if (col === 'timestamp' || col === 'alerts') continue;
      const k = ha.indexOf(col);
      if (k < 0) {
        problems.push(`column ${col} missing`);
        break;
      }
      const x = ra[k] ?? '';
      const y = rb[j] ?? '';
      if (col === 'device') {
        if (x !== y) problems.push(`row ${i} device ${x} vs ${y}`);
        continue;
      }
      if (x === '' && y === '') continue;
      if (col === 'util_pct' && x === '' && Number(y) === 0) continue;
      const X = Number(x);
      const Y = Number(y);
      if (x === '' || y === '' || Number.isNaN(X) || Number.isNaN(Y)) {
        problems.push(`row ${i} ${col}: "${x}" vs golden "${y}"`);
        continue;
      }
      if (col === 'collapse') {
        if (X !== Y) problems.push(`row ${i} collapse ${x} vs golden ${y}`);
        continue;
      }
      const scale = Math.max(Math.abs(X), Math.abs(Y));
      if (scale > ZERO && Math.abs(X - Y) / scale > REL_TOL) problems.push(`row ${i} ${col}: ${x} vs golden ${y}`);
    }
  }
  return problems;
}

async function augmentFile(input: string): Promise<string> {
  const r = await runCli(['augment', input]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

const fixtureCases = fs
  .readdirSync(path.join(FIXTURES, 'golden'))
  .filter((f) => f.endsWith('.in.csv.gz'))
  .map((f) => f.replace(/\.in\.csv\.gz$/, ''));

describe('the golden comparison itself', () => {
  const golden = 'timestamp,device,rle_smoothed,collapse,util_pct\nT,cpu,0.5,0,\nT,cpu,0.25,1,7\n';
  it('accepts equal files and a missing utilization written as 0 by the golden', () => {
    assert.deepEqual(compareWithGolden(golden.replace(',0,\n', ',0,\n'), golden.replace(',0,\n', ',0,0\n')), []);
  });
  it('rejects a 1e-8 relative difference, a flipped collapse and a lost row', () => {
    assert.equal(compareWithGolden(golden.replace('0.25', '0.2500000025'), golden).length, 1);
    assert.equal(compareWithGolden(golden.replace(',1,7', ',0,7'), golden).length, 1);
    assert.match(compareWithGolden(golden.split('\n').slice(0, 2).join('\n'), golden)[0]!, /row count/);
  });
});

describe('golden cases in test/fixtures/golden', () => {
  it('has the cases copied from ../shared/data', () => {
    assert.ok(fixtureCases.length >= 8, `found ${fixtureCases.length}`);
  });
  for (const name of fixtureCases) {
    it(`augment agrees with golden: ${name}`, async () => {
      const dir = tmpDir();
      const input = fixtureFile(`golden/${name}.in.csv.gz`, dir);
      const golden = fs.readFileSync(fixtureFile(`golden/${name}.rle.csv.gz`, dir), 'utf8');
      assert.deepEqual(compareWithGolden(await augmentFile(input), golden), []);
    });
  }
});

/** Every (input, golden) pair under ../shared/data, so new sessions and seeds are checked too. */
function sharedCases(): { name: string; input: string; golden: string }[] {
  const out: { name: string; input: string; golden: string }[] = [];
  const seeds = path.join(SHARED_DATA, 'seed-sessions');
  const goldenDir = path.join(seeds, 'golden');
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? (p === goldenDir ? [] : walk(p)) : [p];
    });
  for (const f of walk(SHARED_DATA)) {
    if (!f.endsWith('.csv') || f.endsWith('.rle.csv')) continue;
    const beside = f.replace(/\.csv$/, '.rle.csv');
    const named = path.join(goldenDir, path.relative(seeds, f).replace(/\.csv$/, '').split(path.sep).join('_') + '.rle.csv');
    const golden = fs.existsSync(beside) ? beside : fs.existsSync(named) ? named : null;
    if (golden) out.push({ name: path.relative(SHARED_DATA, f), input: f, golden });
  }
  return out;
}

describe('golden cases in ../shared/data', () => {
  if (!fs.existsSync(SHARED_DATA)) {
    it('skipped: ../shared/data is not beside this checkout', (t) => t.skip('no ../shared/data'));
    return;
  }
  const cases = sharedCases();
  it('finds golden pairs', () => assert.ok(cases.length >= 8, `found ${cases.length}`));
  for (const c of cases) {
    it(`augment agrees with golden: ${c.name}`, async () => {
      assert.deepEqual(compareWithGolden(await augmentFile(c.input), fs.readFileSync(c.golden, 'utf8')), []);
    });
  }
});
