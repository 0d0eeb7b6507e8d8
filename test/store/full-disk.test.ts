/**
 * #15 failure 1 — "full disk, exit 0, truncated output": every output of rle on a filesystem
 * with no room left must exit 1 naming the file and the cause, leave no partial target (nor
 * temp file) and leave an existing target untouched. Runs on a 64 KiB tmpfs where this
 * machine lets the test mount one (root, or a user namespace); skipped with the reason
 * printed where it does not. Also: stale temp files of a killed run are removed by the next
 * output into the folder.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, fixture, fixtureFile, runCli, tmpDir } from '../helpers.js';

const FULL_KIB = 64;

/** Mounts a FULL_KIB tmpfs at a fresh folder; the reason when this machine does not allow it. */
function mountTiny(): { dir: string } | { skip: string } {
  const dir = path.join(tmpDir(), 'tiny');
  fs.mkdirSync(dir);
  if (process.platform !== 'linux') return { skip: `tmpfs needs Linux (this is ${process.platform})` };
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${FULL_KIB}k`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.error) return { skip: `cannot run mount: ${r.error.message}` };
  if (r.status !== 0) return { skip: `mount -t tmpfs failed (${(r.stderr || '').trim() || `exit ${r.status}`}); needs root or CAP_SYS_ADMIN` };
  return { dir };
}

/** Runs the CLI with its standard output going to `file` (as `rle … > file` does). */
function runToFile(args: string[], file: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const fd = fs.openSync(file, 'w');
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', fd, 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      fs.closeSync(fd);
      resolve({ code: code ?? -1, stderr });
    });
  });
}

const NO_SPACE = /no space left on device/;

/** Fills `dir`'s filesystem but for about `leave` bytes (a filler file, hidden from listing()). */
function fillUp(dir: string, leave: number): void {
  const st = fs.statfsSync(dir);
  const free = st.bavail * st.bsize;
  fs.writeFileSync(path.join(dir, '.filler'), Buffer.alloc(Math.max(0, free - leave)));
}
const listing = (dir: string): string[] => fs.readdirSync(dir).filter((f) => f !== '.filler').sort();

describe('#15 failure 1: full disk, exit 0, truncated output', () => {
  const work = tmpDir();
  const db = path.join(work, 'rle.db');
  const input = fixtureFile('golden/pc_rle_20251027_09.in.csv.gz', work);
  let tiny: { dir: string } | { skip: string };
  let id = '';

  before(async () => {
    tiny = mountTiny();
    if ('skip' in tiny) console.log(`# full-disk tests skipped: ${tiny.skip}`);
    const r = await runCli(['import', input, '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    id = r.stdout.trim();
  });
  after(() => {
    if ('dir' in tiny) spawnSync('umount', [tiny.dir]);
  });

  /** The tiny filesystem's folder, or skips the test with the reason. */
  const full = (t: { skip(m: string): void }): string | null => {
    if ('skip' in tiny) {
      t.skip(tiny.skip);
      return null;
    }
    for (const f of fs.readdirSync(tiny.dir)) fs.rmSync(path.join(tiny.dir, f), { recursive: true, force: true });
    return tiny.dir;
  };

  it('rle export -o: exit 1 naming the file, nothing left, an existing target untouched', async (t) => {
    const dir = full(t);
    if (!dir) return;
    const out = path.join(dir, 'out.csv');
    fs.writeFileSync(out, 'old\n');
    const r = await runCli(['export', id, '--db', db, '-o', out]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`rle: error: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot write: no space left on device \\[E_OUTPUT\\]`));
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.deepEqual(listing(dir), ['out.csv']);
    assert.equal(fs.readFileSync(out, 'utf8'), 'old\n');
  });

  it('rle export > file: a failed write to standard output is an error', async (t) => {
    const dir = full(t);
    if (!dir) return;
    const r = await runToFile(['export', id, '--db', db], path.join(dir, 'redirected.csv'));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /rle: error: standard output: cannot write: no space left on device/);
  });

  it('rle report --out: exit 1, no folder at all (not four empty files)', async (t) => {
    const dir = full(t);
    if (!dir) return;
    const out = path.join(dir, 'rep');
    const r = await runCli(['report', id, '--db', db, '--out', out]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, NO_SPACE);
    assert.match(r.stderr, /rep\/(report\.html|figure\.png|figure\.svg|summary\.json): cannot write/);
    assert.deepEqual(listing(dir), []);
  });

  it('rle augment -o: ENOSPC names the file (no "internal error")', async (t) => {
    const dir = full(t);
    if (!dir) return;
    const out = path.join(dir, 'aug.csv');
    const r = await runCli(['augment', input, '-o', out]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /aug\.csv: cannot write: no space left on device/);
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.deepEqual(listing(dir), []);
  });

  it('rle monitor --csv: exit 1 naming the file, no partial CSV; the session is stored whole', async (t) => {
    const dir = full(t);
    if (!dir) return;
    const out = path.join(dir, 'mon.csv');
    fillUp(dir, 4096);
    const root = fixture('intel');
    const mdb = path.join(work, 'mon.db');
    const r = await runCli(['monitor', '--duration', '3', '--hz', '20', '--db', mdb, '--csv', out, '--sysfs-root', path.join(root, 'sys'), '--procfs-root', path.join(root, 'proc'), '--nvidia-smi', 'none', '--stats-interval', '0']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /mon\.csv: cannot write: no space left on device; the session \S+ is stored whole/);
    assert.deepEqual(listing(dir), []);
    const sessions = JSON.parse((await runCli(['sessions', '--json', '--db', mdb])).stdout) as { status: string }[];
    assert.deepEqual(sessions.map((s) => s.status), ['completed']);
  });

  it('rle fingerprint train -o: exit 1 naming the model file, nothing left', async (t) => {
    const dir = full(t);
    if (!dir) return;
    const other = fixtureFile('golden/laptop_rle_20251030_20.in.csv.gz', work);
    const out = path.join(dir, 'model.json');
    fillUp(dir, 4096);
    const r = await runCli(['fingerprint', 'train', `a=${input}`, `b=${other}`, '--trees', '30', '-o', out]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /model\.json: cannot write: no space left on device/);
    assert.deepEqual(listing(dir), []);
  });
});

describe('#15 failure 4: kill -9 leaves hidden .tmp files that are never cleaned', () => {
  it('the next output into the folder removes temp files of processes that are gone, and keeps a live one', async () => {
    const dir = tmpDir();
    const input = fixtureFile('golden/example_baseline_session.in.csv.gz', dir);
    // A pid that is not running: a child that has exited.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout.trim();
    const stale = path.join(dir, `.aug.csv.${dead}.deadbeef.tmp`);
    const staleReport = path.join(dir, `.rep.${dead}.0badf00d.tmp`);
    const live = path.join(dir, `.aug.csv.${process.pid}.cafebabe.tmp`);
    fs.writeFileSync(stale, 'partial');
    fs.mkdirSync(staleReport);
    fs.writeFileSync(live, 'in progress');
    const r = await runCli(['augment', input, '-o', path.join(dir, 'aug.csv')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.existsSync(stale), false, 'stale temp file removed');
    assert.equal(fs.existsSync(staleReport), false, 'stale report folder removed');
    assert.equal(fs.existsSync(live), true, "a running process's temp file is kept");
  });

  it('an augment killed with SIGKILL mid-write leaves a temp file that the next run cleans', async () => {
    const dir = tmpDir();
    const big = path.join(dir, 'big.csv');
    const lines = ['timestamp,device,util_pct,temp_c,power_w'];
    for (let i = 0; i < 400_000; i++) lines.push(`${new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString()},cpu,${i % 100},50,20`);
    fs.writeFileSync(big, lines.join('\n') + '\n');
    const out = path.join(dir, 'aug.csv');
    const child = spawn(process.execPath, [CLI, 'augment', big, '-o', out], { stdio: 'ignore' });
    // Kill once its temp file has data in it.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        const tmp = fs.readdirSync(dir).find((f) => f.endsWith('.tmp'));
        if ((tmp && fs.statSync(path.join(dir, tmp)).size > 0) || child.exitCode !== null) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 5);
    });
    await new Promise((r) => child.once('close', r));
    assert.equal(fs.existsSync(out), false, 'no target from a killed run');
    const r = await runCli(['augment', fixtureFile('golden/example_baseline_session.in.csv.gz', dir), '-o', path.join(dir, 'small.csv')]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  });
});
