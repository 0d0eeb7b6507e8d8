// Benchmark: the monitor's own cost and timing.
// - CPU per sample at 1 Hz and 10 Hz: the CPU time of the monitor process (all its threads)
//   between the first and the last tick, as the monitor records it in the session manifest
//   (start-up excluded), divided by the ticks; also as % of one core.
// - Tick lateness (actual − scheduled, from the stored samples) at 10 Hz while every core is
//   saturated by busy processes; p50/p99.
// - Drift: last tick's actual time − first's − (n − 1)·period.
// - The floor beside it: the CPU of a Node process whose 10 Hz timer does nothing (every wake-up
//   of an idle VM costs this much before the monitor does any work).
// Durations: RLE_BENCH_S (default 30 s per run).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUN_S = Number(process.env.RLE_BENCH_S ?? 30);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rle-bench-mon-'));

/** Runs `rle monitor`; returns the database and the probe's own figures from the manifest. */
function run(args) {
  const db = path.join(dir, `${Math.random().toString(36).slice(2)}.db`);
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'monitor', '--db', db, '--nvidia-smi', 'none', '--json', '--stats-interval', '0', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const d = new Database(db, { readonly: true });
  const manifest = JSON.parse(d.prepare('SELECT manifest FROM sessions').get().manifest);
  d.close();
  return { db, probe: manifest.probe };
}

function ticks(db) {
  const d = new Database(db, { readonly: true });
  const rows = d.prepare("SELECT t, scheduled_t FROM samples WHERE device = 'cpu' ORDER BY id").all();
  d.close();
  return rows;
}

const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

try {
  for (const hz of [1, 10]) {
    const { probe } = run(['--hz', String(hz), '--duration', String(RUN_S)]);
    console.log(`monitor at ${hz} Hz for ${RUN_S} s: ${probe.ticks} ticks, ${((1000 * probe.cpu_s) / probe.ticks).toFixed(3)} ms CPU per tick, ` +
      `${((100 * probe.cpu_s) / RUN_S).toFixed(2)} % of one core (target ≤ 0.5 % at 10 Hz)`);
  }
  const floor = spawnSync(process.execPath, ['-e', `const c0 = process.cpuUsage(); let n = 0; const t = setInterval(() => { if (++n < ${10 * RUN_S}) return; clearInterval(t); const c = process.cpuUsage(c0); console.log((c.user + c.system) / 1e6); }, 100);`], { encoding: 'utf8' });
  const floorS = Number(floor.stdout);
  console.log(`floor: an empty 10 Hz setInterval for ${RUN_S} s: ${((1000 * floorS) / (10 * RUN_S)).toFixed(3)} ms CPU per tick, ${((100 * floorS) / RUN_S).toFixed(2)} % of one core`);
  const hogs = Array.from({ length: os.cpus().length }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  let loaded;
  try {
    loaded = run(['--hz', '10', '--duration', String(RUN_S)]);
  } finally {
    for (const h of hogs) h.kill('SIGKILL');
  }
  const rows = ticks(loaded.db);
  const late = rows.map((x) => (x.t - x.scheduled_t) * 1000);
  console.log(`tick lateness at 10 Hz, all ${os.cpus().length} cores saturated, ${rows.length} ticks: p50 ${pct(late, 50).toFixed(2)} ms, p99 ${pct(late, 99).toFixed(2)} ms, max ${Math.max(...late).toFixed(2)} ms (target p99 ≤ 5 ms)`);
  const drift = (rows.at(-1).t - rows[0].t - (rows.length - 1) * 0.1) * 1000;
  console.log(`drift over ${(rows.at(-1).t - rows[0].t).toFixed(1)} s: ${drift.toFixed(2)} ms (last tick vs first + (n−1)·period)`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
