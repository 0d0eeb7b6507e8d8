/**
 * `rle monitor` end to end: on this machine's real /proc, on fixture trees with a fake
 * nvidia-smi, through Ctrl-C and kill -9; and the store commands around it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CLI, FIXTURES, ROOT, csvRows, fakeNvidiaSmi, runCli, tmpDir } from '../../helpers.js';

interface Summary {
  devices: Record<string, { samples: number; util_pct_mean: number | null; temp_c: { available_share: number | null; mean: number | null }; power_w: { measured_share: number | null } }>;
}
interface Listing {
  id: string;
  status: string;
  samples: number;
  devices: string[];
  name: string | null;
  kind: string;
  started_at: string;
  ended_at: string | null;
}

const linux = process.platform === 'linux' && fs.existsSync('/proc/stat');

async function sessionsJson(db: string): Promise<Listing[]> {
  const r = await runCli(['sessions', '--json', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Listing[];
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail('timed out waiting');
}

describe('rle monitor on this machine', { skip: linux ? false : 'needs Linux /proc' }, () => {
  it('--duration 2 --hz 5 records ten CPU samples with real utilization and says what is unavailable', async () => {
    const db = path.join(tmpDir(), 'rle.db');
    const sensors = JSON.parse((await runCli(['sensors', '--json'])).stdout) as { id: string; status: string; primary?: boolean }[];
    const hasTemp = sensors.some((r) => r.id === 'cpu.temp' && r.status === 'ok');
    const hasPower = sensors.some((r) => r.id === 'cpu.power' && r.status === 'ok');
    const r = await runCli(['monitor', '--duration', '2', '--hz', '5', '--db', db, '--devices', 'cpu', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { session: string; status: string; summary: Summary };
    assert.equal(out.status, 'completed');
    const cpu = out.summary.devices.cpu!;
    assert.equal(cpu.samples, 10);
    assert.ok(cpu.util_pct_mean !== null && cpu.util_pct_mean >= 0 && cpu.util_pct_mean <= 100);
    assert.match(r.stderr, /^cpu: util measured \(\/proc\/stat\)/m);
    if (!hasTemp) {
      assert.match(r.stderr, /temp unavailable \(no /);
      assert.equal(cpu.temp_c.available_share, 0);
    }
    if (!hasPower) {
      assert.match(r.stderr, /power unavailable \(/);
      assert.equal(cpu.power_w.measured_share, 0);
    }
    const [listing] = await sessionsJson(db);
    assert.deepEqual({ id: listing!.id, status: listing!.status, samples: listing!.samples, devices: listing!.devices }, { id: out.session, status: 'completed', samples: 10, devices: ['cpu'] });
  });
});

describe('rle monitor on fixture trees with a fake nvidia-smi', () => {
  it('records the Intel CPU (coretemp) and two GPUs, rated at their power limit', async () => {
    const dir = tmpDir();
    const db = path.join(dir, 'rle.db');
    const root = path.join(FIXTURES, 'sysfs', 'intel');
    const r = await runCli(
      ['monitor', '--duration', '1', '--hz', '5', '--db', db, '--json', '--sysfs-root', path.join(root, 'sys'), '--procfs-root', path.join(root, 'proc'), '--nvidia-smi', fakeNvidiaSmi(dir)],
      { env: { FAKE_NVSMI_MODE: 'ok' } },
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { session: string; summary: Summary };
    assert.deepEqual(Object.keys(out.summary.devices).sort(), ['cpu', 'gpu0', 'gpu1']);
    const { cpu, gpu0, gpu1 } = out.summary.devices;
    assert.equal(cpu!.temp_c.available_share, 1);
    assert.equal(gpu0!.power_w.measured_share, 1);
    assert.equal(gpu1!.power_w.measured_share, 0); // [N/A] power.draw
    assert.match(r.stderr, /^gpu1: util measured .*; power unavailable \(nvidia-smi: \[N\/A\]\)/m);
    const csv = csvRows((await runCli(['export', out.session, '--db', db])).stdout);
    const h = csv[0]!;
    const g0 = csv.slice(1).filter((row) => row[h.indexOf('device')] === 'gpu0');
    assert.equal(g0.length, 5);
    // the other readings follow as columns named by reading id
    assert.equal(g0[0]![h.indexOf('gpu0.power_limit')], '700');
    const cpuRow = csv.slice(1).find((row) => row[h.indexOf('device')] === 'cpu')!;
    assert.equal(cpuRow[h.indexOf('cpu.freq')], '3000');
    assert.equal(cpuRow[h.indexOf('hwmon.coretemp.temp2')], '49');
    for (const row of g0) {
      // a GPU's rated power defaults to its power.limit (700 W for the fake GPU 0)
      assert.ok(Math.abs(Number(row[h.indexOf('a_load')]) * 700 - Number(row[h.indexOf('power_w')])) < 1e-9);
    }
  });
});

describe('interruptions', { skip: linux ? false : 'needs Linux /proc' }, () => {
  it('kill -9: samples up to the kill are stored, the session shows interrupted, export works', async () => {
    const db = path.join(tmpDir(), 'rle.db');
    const child = spawn(process.execPath, [CLI, 'monitor', '--hz', '10', '--db', db, '--nvidia-smi', 'none'], { cwd: ROOT, stdio: 'ignore' });
    await waitFor(async () => ((await sessionsJson(db))[0]?.samples ?? 0) >= 15, 20000);
    child.kill('SIGKILL');
    const killedAt = Date.now() / 1000;
    await new Promise((r) => child.once('exit', r));
    const [s] = await sessionsJson(db);
    assert.equal(s!.status, 'interrupted');
    assert.ok(s!.samples >= 15);
    // at most the last second is lost: the last stored sample is within ~1 s of the kill
    assert.ok(killedAt - Date.parse(s!.ended_at!) / 1000 < 1.5, `last sample ${s!.ended_at}, killed ${killedAt}`);
    const exp = await runCli(['export', s!.id, '--db', db]);
    assert.equal(exp.code, 0, exp.stderr);
    assert.equal(csvRows(exp.stdout).length - 1, s!.samples);
  });
  it('Ctrl-C stops cleanly: session completed, --csv written', async () => {
    const dir = tmpDir();
    const db = path.join(dir, 'rle.db');
    const csv = path.join(dir, 'live.csv');
    const child = spawn(process.execPath, [CLI, 'monitor', '--hz', '10', '--db', db, '--nvidia-smi', 'none', '--csv', csv], { cwd: ROOT, stdio: 'ignore' });
    await waitFor(async () => ((await sessionsJson(db))[0]?.samples ?? 0) >= 5, 20000);
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', r));
    assert.equal(code, 0);
    const [s] = await sessionsJson(db);
    assert.equal(s!.status, 'completed');
    assert.equal(csvRows(fs.readFileSync(csv, 'utf8')).length - 1, s!.samples);
  });
});

describe('import, export, analyze by id, sessions', () => {
  it('import prints only the id; export and analyze agree with the file', async () => {
    const dir = tmpDir();
    const db = path.join(dir, 'rle.db');
    const file = path.join(ROOT, 'examples', 'desktop-live.csv');
    const imp = await runCli(['import', file, '--db', db, '--name', 'desktop']);
    assert.equal(imp.code, 0, imp.stderr);
    assert.match(imp.stdout, /^\d{8}-\d{6}-[0-9a-f]{6}\n$/);
    const id = imp.stdout.trim();
    const fromFile = JSON.parse((await runCli(['analyze', file, '--json'])).stdout) as Summary & { source: string };
    const fromStore = JSON.parse((await runCli(['analyze', id, '--json', '--db', db])).stdout) as Summary & { source: string };
    assert.equal(fromStore.source, id);
    assert.deepEqual(fromStore.devices, fromFile.devices);
    const exported = csvRows((await runCli(['export', id, '--db', db])).stdout);
    const augmented = csvRows((await runCli(['augment', file, '--no-extra'])).stdout);
    assert.equal(exported.length, augmented.length);
    const h = exported[0]!;
    for (let i = 1; i < exported.length; i++) {
      for (const col of ['rle_smoothed', 'E_th', 'collapse', 'temp_c', 'util_pct']) {
        const j = h.indexOf(col);
        assert.equal(exported[i]![j], augmented[i]![j], `row ${i} ${col}`);
      }
    }
    const [l] = await sessionsJson(db);
    assert.deepEqual(Object.keys(l!).sort(), ['devices', 'ended_at', 'id', 'kind', 'name', 'samples', 'started_at', 'status']);
    assert.deepEqual([l!.kind, l!.status, l!.name, l!.samples], ['import', 'completed', 'desktop', 1708]);
  });
  it('unknown ids are clear errors', async () => {
    const db = path.join(tmpDir(), 'rle.db');
    const r = await runCli(['export', 'nope', '--db', db]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rle: error: no stored session matching "nope"/);
    const a = await runCli(['analyze', 'nope', '--db', db]);
    assert.equal(a.code, 1);
    assert.match(a.stderr, /nope: no such file, nor a stored session by that id/);
    const l = await runCli(['sessions', '--db', db]);
    assert.match(l.stdout, /^no sessions in /);
    assert.equal(fs.existsSync(db), false, 'reading commands do not create a store');
  });
});

describe('rle sensors', () => {
  it('lists every reading with status and reason; the used candidate is the primary', async () => {
    const root = path.join(FIXTURES, 'sysfs', 'zones-only');
    const r = await runCli(['sensors', '--json', '--sysfs-root', path.join(root, 'sys'), '--procfs-root', path.join(root, 'proc'), '--nvidia-smi', 'none']);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as { id: string; status: string; primary?: boolean; reason: string | null; source: string; value: number | null }[];
    for (const x of list) assert.deepEqual(Object.keys(x).slice(0, 8), ['id', 'device', 'kind', 'status', 'value', 'unit', 'source', 'reason']);
    const temps = list.filter((x) => x.id === 'cpu.temp');
    assert.deepEqual(temps.map((x) => [x.status, x.primary, x.value]), [['unavailable', false, null], ['ok', true, 63]]);
    assert.match(temps[0]!.reason!, /no CPU package sensor among hwmon chips: acpitz, nvme/);
    assert.match(list.find((x) => x.id === 'cpu.power')!.reason!, /no RAPL zones/);
    assert.equal(list.find((x) => x.id === 'gpu.present')!.reason, 'NVIDIA GPUs disabled');
  });
});

describe('rle monitor errors', () => {
  it('no device to monitor is a failed run with E_SENSOR, and leaves no empty session behind', async () => {
    const db = path.join(tmpDir(), 'rle.db');
    const r = await runCli(['monitor', '--duration', '1', '--devices', 'gpu', '--nvidia-smi', 'none', '--db', db]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rle: error: no device to monitor matching --devices gpu: .* \[E_SENSOR\]$/m);
    assert.equal(fs.existsSync(db), false, 'checked before the store is even opened');
  });
  it('rejects a rate above 50 Hz and an unknown sensor source as usage errors', async () => {
    assert.equal((await runCli(['monitor', '--hz', '100', '--db', path.join(tmpDir(), 'x.db')])).code, 2);
    const r = await runCli(['monitor', '--disable-sensor', 'lm-sensors']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown sensor source; one of proc-stat, hwmon/);
  });
});
