/**
 * #15 failure 4: "inputs are validated after the session is created" — `rle run --
 * /nonexistent`, `rle monitor --devices foo`, `--prometheus notaport` and a failed import each
 * left an empty `failed` session (88 in one campaign). Each must be an error and leave none.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { CLI, fixture, runCli, tmpDir } from '../helpers.js';

const root = fixture('intel');
const SENSORS = ['--sysfs-root', path.join(root, 'sys'), '--procfs-root', path.join(root, 'proc'), '--nvidia-smi', 'none'];

async function sessionCount(db: string): Promise<number> {
  if (!fs.existsSync(db)) return 0;
  return (JSON.parse((await runCli(['sessions', '--json', '--db', db])).stdout) as unknown[]).length;
}

describe('#15 failure 4: a failed start leaves no empty failed session', () => {
  const cases: [string, string[], number, RegExp][] = [
    ['rle run -- /nonexistent', ['run', ...SENSORS, '--', '/nonexistent'], 1, /cannot run "\/nonexistent": no such command/],
    ['rle monitor --devices foo', ['monitor', '--duration', '1', '--devices', 'foo', ...SENSORS], 1, /no device to monitor matching --devices foo/],
    ['rle monitor --prometheus notaport', ['monitor', '--duration', '1', '--prometheus', 'notaport', ...SENSORS], 2, /--prometheus notaport: expected \[HOST:\]PORT/],
    ['rle monitor --csv into a missing folder', ['monitor', '--duration', '1', '--csv', '/nonexistent/dir/x.csv', ...SENSORS], 1, /x\.csv: cannot write: folder \/nonexistent\/dir: no such file/],
    ['rle train --prometheus notaport', ['train', '--steps', '1', '--prometheus', 'notaport', ...SENSORS], 2, /--prometheus notaport/],
  ];
  for (const [name, args, code, want] of cases) {
    it(`${name}: exit ${code}, no session`, async () => {
      const db = path.join(tmpDir(), 'rle.db');
      const r = await runCli([...args.slice(0, 1), '--db', db, ...args.slice(1)]);
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, want);
      assert.equal(await sessionCount(db), 0);
    });
  }

  it('a failed import leaves no session (neither a half-filled one nor an empty one)', async () => {
    const dir = tmpDir();
    const db = path.join(dir, 'rle.db');
    const half = path.join(dir, 'half.csv');
    const rows = Array.from({ length: 5000 }, (_, i) => `${new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString()},cpu,50`);
    fs.writeFileSync(half, `timestamp,device,util_pct\n${rows.join('\n')}\n2025-01-02T00:00:00Z,c\0pu,5\n`);
    const r = await runCli(['import', half, '--db', db]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /half\.csv:5002: not a text CSV file \(it contains a NUL byte\)/);
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'timestamp,device,util_pct\nnope,cpu,1\n');
    assert.equal((await runCli(['import', bad, '--db', db])).code, 1);
    assert.equal(await sessionCount(db), 0);
  });

  it('Ctrl-C during an import ends it within a second and leaves no session', async () => {
    const dir = tmpDir();
    const db = path.join(dir, 'rle.db');
    const big = path.join(dir, 'big.csv');
    const lines = ['timestamp,device,util_pct,temp_c,power_w'];
    for (let i = 0; i < 600_000; i++) lines.push(`${new Date(Date.UTC(2025, 0, 1) + i * 100).toISOString()},cpu,${i % 100},50,20`);
    fs.writeFileSync(big, lines.join('\n') + '\n');
    const child = spawn(process.execPath, [CLI, 'import', big, '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // Interrupt once the session exists (rows are being stored).
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if ((fs.existsSync(db) && fs.statSync(db).size > 64 * 1024) || child.exitCode !== null) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    const t0 = performance.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('close', (c) => r(c)));
    assert.ok(performance.now() - t0 < 1000, `took ${(performance.now() - t0).toFixed(0)} ms`);
    assert.equal(code, 130, stderr);
    assert.match(stderr, /SIGINT: interrupted: nothing was imported/);
    assert.equal(await sessionCount(db), 0);
  });
});
