/**
 * The Prometheus exposition: metric names, units and labels; Prometheus's own `promtool check
 * metrics` on a live /metrics; and a real Prometheus server scraping `rle monitor --prometheus`
 * on loopback. The last two skip, saying why, where Debian's prometheus package is missing
 * (.ci/run installs it).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RleMetrics } from '../../src/serve/prometheus-metrics.js';
import { CLI, ROOT, tmpDir } from '../helpers.js';

const have = (exe: string): boolean => spawnSync(exe, ['--version'], { stdio: 'ignore' }).status === 0;

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let b = '';
      res.setEncoding('utf8').on('data', (d: string) => (b += d));
      res.on('end', () => resolve(b));
    }).on('error', reject);
  });
}

async function startMonitor(db: string, port: number, seconds: number): Promise<{ child: ReturnType<typeof spawn>; url: string }> {
  const child = spawn(process.execPath, [CLI, 'monitor', '--duration', String(seconds), '--hz', '4', '--prometheus', `127.0.0.1:${port}`, '--nvidia-smi', 'none', '--stats-interval', '0', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 20_000;
  while (!/metrics on (http:\/\/\S+)/.test(out)) {
    if (Date.now() > deadline) throw new Error(`no metrics address: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url: /metrics on (http:\/\/\S+)/.exec(out)![1]! };
}

describe('Prometheus exposition', () => {
  it('names carry units; missing readings are absent, not zero; energy only from an energy counter; throttling per cause', async () => {
    const m = new RleMetrics();
    const metric = { rle_raw: 0.4, rle_smoothed: 0.5, rle_norm: 0.9, E_th: 0.6, E_pw: 0.7, a_load: 0.8, t_sustain_s: 120, collapse: 1 as const, power_source: 'measured' as const };
    const sample = (t: number, power: number | null, temp: number | null, energy: number) => ({ device: 'gpu0', t, scheduled_t: t, util_pct: 90, temp_c: temp, power_w: power, util_src: 'measured' as const, temp_src: 'measured' as const, power_src: 'measured' as const, extra: { 'gpu0.energy': energy } });
    const hot = { throttled: 1 as const, causes: ['thermal' as const] };
    m.observe('S1', sample(100, 200, 70, 1000), metric, [{ t: 100, device: 'gpu0', type: 'collapse_start' }], hot);
    m.observe('S1', sample(101, 300, null, 1250), metric, [], hot);
    m.observe('S1', { ...sample(101, null, 50, 0), device: 'cpu', extra: null }, { ...metric, collapse: 0, power_source: 'estimated' }, [], { throttled: null, causes: [] });
    m.step('S1', { step: 7, t: 101, t_start: 100.7, loss: 2.5, grad_norm: 1.5, learning_rate: 1e-4, tokens: 512, epoch: 1 });
    m.health('S1', [{ name: 'rapl', up: true, durationMs: 2, error: null }]);
    const { body, contentType } = await m.text();
    assert.match(contentType, /text\/plain/);
    assert.match(body, /rle_device_temperature_celsius\{host="[^"]+",device="cpu",session="S1"\} 50/);
    assert.doesNotMatch(body, /rle_device_temperature_celsius\{[^}]*device="gpu0"/, 'the last gpu0 sample had no temperature');
    assert.match(body, /rle_device_energy_joules_total\{[^}]*device="gpu0"[^}]*\} 250/, "the counter's advance, 1250 − 1000 J");
    assert.doesNotMatch(body, /rle_device_energy_joules_total\{[^}]*device="cpu"/, 'no energy counter, no energy series');
    assert.match(body, /rle_throttled\{[^}]*device="gpu0"[^}]*cause="thermal"\} 1\n/);
    assert.match(body, /rle_throttled\{[^}]*device="gpu0"[^}]*cause="power"\} 0\n/);
    assert.doesNotMatch(body, /rle_throttled\{[^}]*device="cpu"/, 'cannot tell: absent, not 0');
    assert.match(body, /rle_throttled_seconds_total\{[^}]*device="gpu0"[^}]*\} 1\n/);
    assert.match(body, /rle_collapse_events_total\{[^}]*device="gpu0"[^}]*\} 1\n/);
    assert.match(body, /rle_collapse_samples_total\{[^}]*device="gpu0"[^}]*\} 2\n/);
    assert.match(body, /rle_training_grad_norm\{host="[^"]+",session="S1"\} 1\.5/);
    assert.match(body, /rle_training_step_duration_seconds\{host="[^"]+",session="S1"\} 0\.[23]\d*\n/, 'the last step with a start: 0.3 s');
    assert.match(body, /rle_sensor_read_duration_seconds\{[^}]*sensor="rapl"\} 0\.002/);
    for (const name of body.match(/^# TYPE (\S+)/gm)!.map((l) => l.slice(7))) assert.match(name, /^rle_/);
  });

  it('the fleet rules (docs/prometheus-rules.yml) pass promtool check rules and their unit tests', { skip: have('promtool') ? false : 'promtool not installed (apt-get install prometheus; .ci/run does)' }, () => {
    const docs = path.join(ROOT, 'docs');
    const check = spawnSync('promtool', ['check', 'rules', path.join(docs, 'prometheus-rules.yml')], { encoding: 'utf8' });
    assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
    assert.match(check.stdout, /SUCCESS: 6 rules found/);
    const test = spawnSync('promtool', ['test', 'rules', path.join(docs, 'prometheus-rules.test.yml')], { encoding: 'utf8', cwd: docs });
    assert.equal(test.status, 0, `${test.stdout}${test.stderr}`);
  });

  it('promtool check metrics accepts a live /metrics of rle monitor', { skip: have('promtool') ? false : 'promtool not installed (apt-get install prometheus; .ci/run does)' }, async () => {
    const db = path.join(tmpDir(), 'rle.db');
    const { child, url } = await startMonitor(db, 0, 3);
    await new Promise((r) => setTimeout(r, 1500));
    const body = await get(url);
    child.kill('SIGINT');
    assert.match(body, /rle_smoothed\{/);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });

  it('a real Prometheus server scrapes rle monitor on loopback', { skip: have('prometheus') ? false : 'prometheus not installed (apt-get install prometheus; .ci/run does)', timeout: 60_000 }, async () => {
    const dir = tmpDir();
    const port = 19000 + Math.floor(Math.random() * 1000);
    const { child, url } = await startMonitor(path.join(dir, 'rle.db'), port, 20);
    const promPort = port + 1000;
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: rle\n    static_configs:\n      - targets: ['${new URL(url).host}']\n`);
    const prom = spawn('prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
    try {
      let found = '';
      for (let i = 0; i < 40 && !found; i++) {
        await new Promise((r) => setTimeout(r, 500));
        try {
          const q = JSON.parse(await get(`http://127.0.0.1:${promPort}/api/v1/query?query=rle_smoothed`)) as { data?: { result?: { metric: Record<string, string>; value: [number, string] }[] } };
          const res = q.data?.result ?? [];
          if (res.length > 0) found = JSON.stringify(res[0]);
        } catch {
          // not up yet
        }
      }
      assert.ok(found, 'Prometheus never had rle_smoothed');
      assert.match(found, /"device":"cpu"/);
      assert.match(found, /"job":"rle"/);
    } finally {
      prom.kill('SIGTERM');
      child.kill('SIGINT');
    }
  });
});
