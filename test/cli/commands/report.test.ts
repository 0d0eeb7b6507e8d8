/** `rle report` and `rle compare` end to end, from the store alone. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { CompareRow } from '../../../src/report/compare.js';
import type { ReportSummary } from '../../../src/report/summary.js';
import { CLI, FIXTURES, fixtureFile, runCli, tmpDir } from '../../helpers.js';

async function importTraining(db: string): Promise<string> {
  const dir = tmpDir();
  const csv = fixtureFile('golden/training_reproducibility_test_1_rle_data_20251028_195412.in.csv.gz', dir);
  const log = path.join(FIXTURES, 'training', 'training_log_20251028_195412.json');
  const r = await runCli(['import', csv, '--training', log, '--name', 'seed-training', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

function pngWidth(file: string): number {
  const b = fs.readFileSync(file);
  assert.equal(b.subarray(1, 4).toString(), 'PNG');
  return b.readUInt32BE(16); // IHDR width
}

describe('rle report', () => {
  it('writes report.html, figure.png (≥ 1200 px), figure.svg and summary.json for an imported training run', async () => {
    const db = path.join(tmpDir(), 'rle.db');
    const id = await importTraining(db);
    const out = path.join(tmpDir(), 'rep');
    const r = await runCli(['report', id, '--out', out, '--db', db, '--draws', '300']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote .*report\.html/);
    assert.match(r.stdout, /^cpu: (coupled|not coupled|insufficient data) — /m);
    // The earlier tools recorded no throttle evidence: the first question is answered honestly.
    assert.match(r.stdout, /^throttling: cpu: cannot tell whether it throttled/m);
    assert.deepEqual(fs.readdirSync(out).sort(), ['figure.png', 'figure.svg', 'report.html', 'summary.json']);
    assert.ok(pngWidth(path.join(out, 'figure.png')) >= 1200);
    assert.match(fs.readFileSync(path.join(out, 'figure.svg'), 'utf8'), /^<svg/);
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    assert.match(html, /<svg/);
    assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, 'self-contained: no scripts, no network');
    const s = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as ReportSummary;
    assert.deepEqual(Object.keys(s.coupling).sort(), ['cpu', 'gpu']);
    const c = s.coupling.gpu!;
    assert.ok(c.aligned_samples > 50);
    const x = c.xcorr.find((e) => e.training_metric === 'grad_norm' && e.metric === 'rle_smoothed')!;
    assert.equal(x.lags_s.length, 21);
    // a sequential surrogate p-value: 10 exceedances / draws, or (1 + ≥) / (1 + draws) at the cap of 300
    const e = x as typeof x & { draws: number };
    const exact = [10 / e.draws, ...Array.from({ length: 11 }, (_, k) => (1 + k) / (1 + e.draws))];
    assert.ok(e.draws >= 10 && e.draws <= 300 && exact.some((v) => Math.abs(v - x.p_value!) < 1e-12), `p ${x.p_value} after ${e.draws} draws`);
    for (const k of ['spikes', 'collapse_events', 'window_s', 'coincidences', 'expected', 'p_value']) assert.ok(k in c.events, k);
    assert.ok(['coupled', 'not coupled', 'insufficient data'].includes(c.verdict));
    assert.equal(s.training!.steps, 200);
    assert.ok(s.notes.some((n) => /cpu: power_w is labelled constant/.test(n)), s.notes.join('\n'));
    assert.equal(s.coupling.cpu!.verdict, 'insufficient data', "the CPU's temperature and power were constants: nothing thermal to couple with");
    assert.match(s.coupling.cpu!.reason, /no thermal reading/);
    // --json prints the same summary; the same seed gives the same p-values
    const j = await runCli(['report', id, '--json', '--db', db, '--draws', '300']);
    assert.equal(j.code, 0, j.stderr);
    assert.deepEqual(JSON.parse(j.stdout), s);
  });

  it('a monitor-only session gets the thermal report; coupling says there are no steps', async () => {
    const db = path.join(tmpDir(), 'rle.db');
    const m = await runCli(['monitor', '--duration', '2', '--hz', '5', '--json', '--nvidia-smi', 'none', '--db', db]);
    assert.equal(m.code, 0, m.stderr);
    const id = (JSON.parse(m.stdout) as { session: string }).session;
    const out = path.join(tmpDir(), 'rep');
    const r = await runCli(['report', id, '--out', out, '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as ReportSummary;
    assert.equal(s.training, null);
    assert.equal(s.coupling.cpu!.verdict, 'insufficient data');
    assert.match(s.coupling.cpu!.reason, /no training steps/);
    assert.ok(s.thermal.cpu!.samples >= 5);
    assert.ok(pngWidth(path.join(out, 'figure.png')) >= 1200);
  });

  for (const [sig, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    it(`${sig} while the report computes ends it within a second: exit ${code}, one message, no folder and no temp folder`, async () => {
      // Spikes and collapse events, and 10⁹ circular shifts for their coincidence test: a report that would run for hours.
      const db = path.join(tmpDir(), 'rle.db');
      const t0 = Date.parse('2026-01-05T12:00:00Z') / 1000;
      const steps = Array.from({ length: 1800 }, (_, i) => JSON.stringify({ step: i + 1, start: t0 + i * 0.5, time: t0 + (i + 1) * 0.5, loss: 3 - i / 1000, grad_norm: 1 + ((i + 1) % 97 === 0 ? 8 : 0.1 * Math.sin(i)), tokens: 100 }));
      const jsonl = path.join(tmpDir(), 'steps.jsonl');
      fs.writeFileSync(jsonl, steps.join('\n') + '\n');
      const imp = await runCli(['import', fixtureFile('golden/synthetic_throttle_seed1.in.csv.gz'), '--steps', jsonl, '--db', db]);
      assert.equal(imp.code, 0, imp.stderr);
      const parent = tmpDir();
      const child = spawn(process.execPath, [CLI, 'report', imp.stdout.trim(), '--out', path.join(parent, 'rep'), '--db', db, '--draws', '1000000000'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const closed = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      await new Promise((resolve) => setTimeout(resolve, 3000));
      assert.equal(child.exitCode, null, `still computing after 3 s (${stderr})`);
      const sent = performance.now();
      child.kill(sig);
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const exit = await closed;
      clearTimeout(killer);
      const ms = performance.now() - sent;
      assert.equal(exit, code, stderr);
      assert.equal(stderr, `rle report: ${sig}: interrupted; no report written\n`);
      assert.ok(ms < 1500, `${ms.toFixed(0)} ms from ${sig} to exit`);
      assert.deepEqual(fs.readdirSync(parent), [], 'no report folder, no temp folder');
    });
  }

  it('an unknown session is a clear error and writes nothing', async () => {
    const db = path.join(tmpDir(), 'rle.db');
    await importTraining(db);
    const out = path.join(tmpDir(), 'nothing');
    const r = await runCli(['report', 'nope', '--out', out, '--db', db]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /rle: error: .*nope.* \[E_SESSION\]/);
    assert.ok(!fs.existsSync(out));
  });
});

describe('rle compare', () => {
  it('one row per session and device, as text, Markdown and JSON, with labels', async () => {
    const db = path.join(tmpDir(), 'rle.db');
    const id = await importTraining(db);
    const csv = path.join(FIXTURES, '..', '..', 'examples', 'desktop-live.csv');
    const j = await runCli(['compare', id, csv, '--json', '--label', `${csv}=desktop`, '--db', db]);
    assert.equal(j.code, 0, j.stderr);
    const rows = JSON.parse(j.stdout) as CompareRow[];
    assert.deepEqual(rows.map((r) => [r.label, r.device]), [['seed-training', 'cpu'], ['seed-training', 'gpu'], ['desktop', 'cpu']]);
    for (const k of ['samples', 'duration_s', 'collapse_rate', 'collapse_events', 'power_mean_w', 'power_measured_share', 'rle_mean', 'temp_peak_c']) assert.ok(k in rows[0]!, k);
    assert.deepEqual(rows[0]!.suspect_constants, ['temp_c', 'power_w']);
    assert.equal(rows[2]!.samples, 1708);
    const md = await runCli(['compare', id, '--md', '--db', db]);
    assert.match(md.stdout, /^\| workload \| session \| device \|/);
    assert.match(md.stdout, /\| seed-training \| \S+ \| cpu \| 180 \| 3\.0 min \| n\/a \(no temperature\) \| 0 \| n\/a \(not a reading: written by the tool\) \|/);
    const bad = await runCli(['compare', 'nope', '--db', db]);
    assert.equal(bad.code, 1);
  });
});
