/** `rle augment`: outputs, options and every error path (exit code, message, no output file). */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, csvRows, fixtureFile, runCli, tmpDir } from '../../helpers.js';

const SMALL = 'timestamp,device,util_pct,temp_c,power_w\n' +
  '2025-01-01T00:00:00Z,cpu,50,60,70\n2025-01-01T00:00:01Z,gpu0,40,55,100\n2025-01-01T00:00:02Z,cpu,52,60.5,72\n';

function write(dir: string, name: string, text: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

/** No stack trace, one `rle: error:` line naming what is wrong. */
function assertCleanError(stderr: string, pattern: RegExp): void {
  assert.match(stderr, /^rle: error: /);
  assert.match(stderr, pattern);
  assert.doesNotMatch(stderr, /\n\s+at /);
}

describe('rle augment', () => {
  it('reads stdin, writes stdout, passes extra columns through', async () => {
    const r = await runCli(['augment', '-'], { stdin: SMALL.replace('power_w\n', 'power_w,fan\n').replace(',70\n', ',70,33\n') });
    assert.equal(r.code, 0, r.stderr);
    const rows = csvRows(r.stdout);
    assert.equal(rows.length, 4);
    assert.equal(rows[0]!.at(-1), 'fan');
    assert.equal(rows[1]!.at(-1), '33');
    assert.equal(rows[2]!.at(-1), '');
  });
  it('writes -o atomically and leaves no temp file', async () => {
    const dir = tmpDir();
    const input = write(dir, 'in.csv', SMALL);
    const r = await runCli(['augment', input, '-o', path.join(dir, 'out.csv')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['in.csv', 'out.csv']);
    assert.equal(csvRows(fs.readFileSync(path.join(dir, 'out.csv'), 'utf8')).length, 4);
  });
  it('applies --rated and --limit by device name or class (exact name wins)', async () => {
    const base = csvRows((await runCli(['augment', '-'], { stdin: SMALL })).stdout);
    const r = await runCli(['augment', '-', '--rated', 'cpu=140,gpu0=250', '--rated', 'gpu=999'], { stdin: SMALL });
    const rows = csvRows(r.stdout);
    const aLoad = rows[0]!.indexOf('a_load');
    assert.equal(Number(base[1]![aLoad]), 70 / 125);
    assert.equal(Number(rows[1]![aLoad]), 70 / 140);
    assert.equal(Number(rows[2]![aLoad]), 100 / 250);
  });
  it('warns about a --rated key that matches no device', async () => {
    const r = await runCli(['augment', '-', '--rated', 'cpuu=100'], { stdin: SMALL });
    assert.equal(r.code, 0);
    assert.match(r.stderr, /--rated key "cpuu" matches no device/);
  });
  it('reports malformed rows with their line numbers and still succeeds', async () => {
    const dir = tmpDir();
    const input = fixtureFile('golden/pc_rle_20251027_09.in.csv.gz', dir);
    const r = await runCli(['augment', input, '-o', path.join(dir, 'o.csv')]);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /skipped 26 malformed rows \(lines 4160, 4600, 5198, 5404, 5767, …\)/);
  });
  it('reads gzipped sessions, and fails clearly on a truncated one', async () => {
    const dir = tmpDir();
    const gz = path.join(dir, 'd.csv.gz');
    fs.copyFileSync(path.join(FIXTURES, 'golden', 'desktop-live_latest.in.csv.gz'), gz);
    const ok = await runCli(['augment', gz]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(csvRows(ok.stdout).length, 1709);
    fs.writeFileSync(gz, fs.readFileSync(gz).subarray(0, 300));
    const bad = await runCli(['augment', gz, '-o', path.join(dir, 'o.csv')]);
    assert.equal(bad.code, 1);
    assertCleanError(bad.stderr, /d\.csv\.gz: cannot read: unexpected end of file \[E_INPUT_FORMAT\]/);
    assert.equal(fs.existsSync(path.join(dir, 'o.csv')), false);
  });
  it('prints --help and --version with exit 0', async () => {
    const h = await runCli(['augment', '--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /--hysteresis <n>/);
    const v = await runCli(['--version']);
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^\d+\.\d+\.\d+/);
  });

  describe('errors', () => {
    const dir = tmpDir();
    const good = write(dir, 'good.csv', SMALL);
    const cases: { name: string; args: string[]; code: number; msg: RegExp }[] = [
      { name: 'missing file', args: [path.join(dir, 'nope.csv')], code: 1, msg: /nope\.csv: cannot read: no such file \[E_INPUT_MISSING\]/ },
      { name: 'a directory', args: [dir], code: 1, msg: /is a directory/ },
      { name: 'binary file', args: [write(dir, 'bin.csv', Buffer.from([0x50, 0x4b, 0, 1, 2]))], code: 1, msg: /bin\.csv:1: not a text CSV file \(it contains a NUL byte\)/ },
      { name: 'empty file', args: [write(dir, 'empty.csv', '')], code: 1, msg: /empty\.csv: empty file/ },
      { name: 'no timestamp column', args: [write(dir, 'nots.csv', 'time,device,util_pct\n1,cpu,2\n')], code: 1, msg: /nots\.csv:1: no "timestamp" column/ },
      { name: 'no util_pct column', args: [write(dir, 'noutil.csv', 'timestamp,device,temp_c\n')], code: 1, msg: /noutil\.csv:1: no "util_pct" column/ },
      { name: 'bad quoting', args: [write(dir, 'quote.csv', SMALL + '2025-01-01T00:00:03Z,"cpu,1\n')], code: 1, msg: /quote\.csv:5: bad CSV quoting/ },
      { name: 'bad --window', args: [good, '--window', '0'], code: 2, msg: /option '--window <n>' argument '0' is invalid\. must be ≥ 1/ },
      { name: 'bad --hz', args: [good, '--hz', 'fast'], code: 2, msg: /--hz <hz>.*not a number/ },
      { name: 'bad --rated value', args: [good, '--rated', 'cpu=abc'], code: 2, msg: /--rated <map>.*cpu: not a number/ },
      { name: 'bad --rated syntax', args: [good, '--rated', '125'], code: 2, msg: /"125" is not KEY=VALUE/ },
      { name: 'bad --drop-frac', args: [good, '--drop-frac', '1.5'], code: 2, msg: /--drop-frac.*must be in \(0, 1\]/ },
      { name: 'unknown option', args: [good, '--windw', '3'], code: 2, msg: /unknown option '--windw'/ },
      { name: 'missing argument', args: [], code: 2, msg: /missing required argument 'input'/ },
    ];
    for (const c of cases) {
      it(`${c.name}: exit ${c.code}, clear message, no output file`, async () => {
        const out = path.join(dir, `out-${c.name.replace(/\W+/g, '_')}.csv`);
        const r = await runCli(['augment', ...c.args, '-o', out]);
        assert.equal(r.code, c.code, r.stderr);
        assertCleanError(r.stderr, c.msg);
        assert.equal(fs.existsSync(out), false);
        assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
      });
    }
    it('leaves an existing output untouched when the run fails', async () => {
      const out = write(dir, 'keep.csv', 'precious\n');
      const r = await runCli(['augment', path.join(dir, 'quote.csv'), '-o', out]);
      assert.equal(r.code, 1);
      assert.equal(fs.readFileSync(out, 'utf8'), 'precious\n');
    });
    it('an unknown command is a usage error', async () => {
      const r = await runCli(['augmnet', good]);
      assert.equal(r.code, 2);
      assertCleanError(r.stderr, /unknown command 'augmnet'/);
    });
    it('an output folder that does not exist is a failed run', async () => {
      const r = await runCli(['augment', good, '-o', path.join(dir, 'no', 'such', 'o.csv')]);
      assert.equal(r.code, 1);
      assertCleanError(r.stderr, /cannot write: folder .*no such file/);
    });
  });
});
