// Benchmark: `rle report` on a long session (issue #17): a generated, seeded day of 1 Hz
// telemetry for a GPU (and the CPU) with 500,000 training steps and a 2 h thermal-throttling
// stretch, then `rle report <id>` timed as a whole process under /usr/bin/time: wall s, CPU s
// (user + sys), peak RSS, against the targets (15 s, 1 GB). Two sessions of the same data:
// - imported, as a user would: `rle import <csv> --steps <jsonl>` (an import keeps only the
//   readings, not the throttle evidence columns, so its report cannot tell throttling);
// - recorded: the samples stored with their extra readings (`gpu0.clock_ratio`,
//   `gpu0.temp_limit`), as `rle monitor` / `rle run` store them, and the steps added by
//   `rle import <id> --steps <jsonl>` — so the throttle detector and the throttle tax run too.
// RLE_BENCH_HOURS and RLE_BENCH_STEPS shrink it; RLE_BENCH_KEEP=1 keeps the folder.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const HOURS = Number(process.env.RLE_BENCH_HOURS ?? 24);
const STEPS = Number(process.env.RLE_BENCH_STEPS ?? 500_000);
const TARGET = { wall_s: 15, rss_mb: 1024 };
const T0 = Date.UTC(2026, 0, 1) / 1000;
const START_S = 120; // training starts two minutes into the session
const GPU_LIMIT_C = 83;

/** A seeded LCG and a Gaussian from it: the same files on every run. */
function rng(seed) {
  let s = seed >>> 0;
  const u = () => (s = (s * 1664525 + 1013904223) >>> 0) / 4294967296;
  return { u, g: () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u()) };
}

/** Seconds of the session (from T0) in the throttled stretch: 2 h of heat soak around the middle. */
function throttled(s, span) {
  const a = span * 0.55;
  return s >= a && s < a + Math.min(7200, span * 0.08);
}

function writer(file) {
  const fd = fs.openSync(file, 'w');
  let buf = '';
  return {
    put(s) {
      buf += s;
      if (buf.length > 1 << 20) { fs.writeSync(fd, buf); buf = ''; }
    },
    close() { fs.writeSync(fd, buf); fs.closeSync(fd); },
  };
}

/** Telemetry: load follows training, temperature follows power; in the throttled stretch the GPU sits at its limit with clocks down. */
function* telemetry(span) {
  const r = rng(7);
  let tc = 40, tg = 38;
  for (let i = 0; i < span; i++) {
    const training = i >= START_S;
    const hot = throttled(i, span);
    const ug = training ? Math.min(100, Math.max(0, (hot ? 82 : 97) + 3 * r.g())) : 2 + r.u();
    const pg = training ? (hot ? 240 : 285) + 12 * r.g() : 60 + 2 * r.g();
    const clock = hot ? 0.72 + 0.04 * r.g() : 1;
    tg += ((hot ? GPU_LIMIT_C + 2 : 32 + 0.17 * pg) - tg) / 90 + 0.15 * r.g();
    const uc = training ? 35 + 10 * r.g() : 3 + r.u();
    const pc = 40 + 0.8 * uc + 2 * r.g();
    tc += (35 + 0.35 * pc - tc) / 60 + 0.1 * r.g();
    yield { i, cpu: [+uc.toFixed(1), +tc.toFixed(1), +pc.toFixed(2)], gpu: [+ug.toFixed(1), +Math.min(tg, GPU_LIMIT_C + 3).toFixed(0), +pg.toFixed(2)], clock: +clock.toFixed(3) };
  }
}

function writeCsv(file, span) {
  const w = writer(file);
  w.put('timestamp,device,util_pct,temp_c,power_w,gpu0.clock_ratio,gpu0.temp_limit\n');
  for (const { i, cpu, gpu, clock } of telemetry(span)) {
    const ts = new Date((T0 + i) * 1000).toISOString();
    w.put(`${ts},cpu,${cpu.join(',')},,\n${ts},gpu0,${gpu.join(',')},${clock},${GPU_LIMIT_C}\n`);
  }
  w.close();
}

/** The same telemetry stored as a recording stores it: readings with their extra readings, metrics from the engine. */
async function writeRecorded(db, span) {
  const { SessionStore, SessionEngine } = await import(path.join(ROOT, 'dist', 'index.js'));
  const store = SessionStore.open(db);
  const engine = new SessionEngine({});
  const id = store.createSession({ kind: 'monitor', name: 'bench recorded', startedAt: T0, manifest: { tool: { name: 'rle bench' } } });
  let batch = [];
  const row = (device, t, [util_pct, temp_c, power_w], extra) => {
    const sample = { device, t, scheduled_t: t, util_pct, temp_c, power_w, util_src: 'measured', temp_src: 'measured', power_src: 'measured', extra };
    const { power_used_w: _unused, ...metric } = engine.push(device, sample);
    return { sample, metric, throttle: null };
  };
  for (const { i, cpu, gpu, clock } of telemetry(span)) {
    batch.push(row('cpu', T0 + i, cpu, null), row('gpu0', T0 + i, gpu, { 'gpu0.clock_ratio': clock, 'gpu0.temp_limit': GPU_LIMIT_C }));
    if (batch.length >= 5000) { store.append(id, batch); batch = []; }
  }
  store.append(id, batch);
  store.finish(id, 'completed', T0 + span - 1);
  store.close();
  return id;
}

/** Steps: ~0.17 s each (slower while throttled), loss falling with noise, grad_norm with rare spikes. */
function writeSteps(file, span, steps) {
  const r = rng(11);
  const w = writer(file);
  const dt = Math.min(0.17, ((span - START_S) * 0.97) / steps / 1.05);
  let t = T0 + START_S;
  for (let k = 1; k <= steps; k++) {
    const d = dt * (throttled(t - T0, span) ? 1.35 : 1) * (1 + 0.03 * r.g());
    const start = t;
    t += d;
    const x = k / steps;
    const loss = 2.2 + 8 * Math.exp(-x * 12) + 0.08 * (1 - 0.6 * x) * r.g();
    const grad = Math.abs(1.2 + 3 * Math.exp(-x * 20) + 0.15 * r.g()) * (r.u() < 0.001 ? 6 : 1);
    w.put(`{"step":${k},"start":${start.toFixed(4)},"time":${t.toFixed(4)},"loss":${loss.toFixed(5)},"grad_norm":${grad.toFixed(5)},"learning_rate":0.0003,"tokens":4096}\n`);
  }
  w.close();
  return t - T0;
}

/** A command under /usr/bin/time -v: wall, user + sys, peak RSS. */
function timed(args, env) {
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  const num = (re) => Number(re.exec(r.stderr)?.[1] ?? NaN);
  const wall = (() => {
    const m = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
    return m ? Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) : NaN;
  })();
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    wall_s: wall,
    cpu_s: num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/),
    rss_mb: num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
  };
}

const load = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rle-bench-report-'));
try {
  const span = Math.round(HOURS * 3600);
  const csv = path.join(dir, 'session.csv'), jsonl = path.join(dir, 'steps.jsonl'), db = path.join(dir, 'rle.db');
  writeCsv(csv, span);
  const stepSpan = writeSteps(jsonl, span, STEPS);
  console.log(`input: ${HOURS} h at 1 Hz × cpu + gpu0 (${(2 * span).toLocaleString('en-US')} rows, ${(fs.statSync(csv).size / 1e6).toFixed(1)} MB), ${STEPS.toLocaleString('en-US')} steps to ${(stepSpan / 3600).toFixed(2)} h (${(fs.statSync(jsonl).size / 1e6).toFixed(1)} MB)`);
  const imp = timed(['import', csv, '--steps', jsonl, '--db', db]);
  if (imp.status !== 0) throw new Error(`import failed: ${imp.stderr}`);
  const imported = imp.stdout.trim().split(/\s+/).at(-1);
  console.log(`rle import <csv> --steps: ${imp.wall_s.toFixed(2)} s wall, ${imp.cpu_s.toFixed(2)} s CPU, ${imp.rss_mb.toFixed(0)} MB → session ${imported}`);
  const recorded = await writeRecorded(db, span);
  const add = timed(['import', recorded, '--steps', jsonl, '--db', db]);
  if (add.status !== 0) throw new Error(`import --steps failed: ${add.stderr}`);
  console.log(`recorded session ${recorded}; rle import <id> --steps: ${add.wall_s.toFixed(2)} s wall`);
  const rows = [['rle report', 'wall', 'CPU (user+sys)', 'peak RSS', 'load avg before → after', 'throttled steps']];
  const runs = [];
  for (const [what, id] of [['imported', imported], ['recorded', recorded]]) {
    const out = path.join(dir, `report-${what}`);
    const before = load();
    const rep = timed(['report', id, '--db', db, '--out', out]);
    if (rep.status !== 0) throw new Error(`report of the ${what} session failed (exit ${rep.status}): ${rep.stderr}`);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    runs.push(rep);
    const mark = (ok) => (ok ? 'met' : 'MISSED');
    rows.push([
      what,
      `${rep.wall_s.toFixed(2)} s (target ≤ ${TARGET.wall_s} s: ${mark(rep.wall_s <= TARGET.wall_s)})`,
      `${rep.cpu_s.toFixed(2)} s`,
      `${rep.rss_mb.toFixed(0)} MB (target ≤ ${TARGET.rss_mb} MB: ${mark(rep.rss_mb <= TARGET.rss_mb)})`,
      `${before} → ${load()} on ${os.availableParallelism()} cores`,
      String(summary.throttle_tax.throttled_steps),
    ]);
  }
  const wd = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(`| ${r.map((c, i) => c.padEnd(wd[i])).join(' | ')} |`);
  const met = runs.every((r) => r.wall_s <= TARGET.wall_s && r.rss_mb <= TARGET.rss_mb);
  const size = (f) => `${(fs.statSync(path.join(dir, 'report-recorded', f)).size / 1e6).toFixed(2)} MB`;
  console.log(`targets ${met ? 'met' : 'MISSED'}; recorded report: figure.svg ${size('figure.svg')}, figure.png ${size('figure.png')}, report.html ${size('report.html')}, summary.json ${size('summary.json')}`);
} finally {
  if (process.env.RLE_BENCH_KEEP === '1') console.log(`kept ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
}
