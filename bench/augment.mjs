// Benchmark (issue #17): `rle augment` against the earlier tool's own augmenter, side by side.
// Both read the SAME generated file, a 24 h, 1 Hz, two-device session (172,800 rows) with the
// columns both accept (timestamp, device, util_pct, temp_c, power_w; the seed tool reads them
// by name). Each run is a whole process, start-up included; the rounds alternate which tool
// goes first, after one warm-up run of each. One line gives the wall-time medians, the ratio
// and the target (CPU time too: this VM is shared, and CPU time suffers less from that); then
// rle's peak RSS on that file and on one 4× as long (flat means streaming), and start-up.
// Runs are timed by a small Python wrapper (wall clock, the child's rusage: CPU and peak RSS).
// Environment: RLE_BENCH_ROUNDS (default 5), RLE_BENCH_PYTHON (default /usr/bin/python3, the
// distribution's build, when present: here it runs the seed tool ~20% faster than a pyenv build
// on PATH, so the ratio is not flattered by a slow interpreter; else python3 on PATH).
// Needs a build (npm run build) and ../shared/bench/seed_rle_core.py beside the repository.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const SEED = path.resolve(ROOT, '..', 'shared', 'bench', 'seed_rle_core.py');
const PYTHON = process.env.RLE_BENCH_PYTHON ?? (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const TARGET_RATIO = 25; // issue #17: ≥ 25× the earlier tool, whole process, same file
const ROUNDS = Number(process.env.RLE_BENCH_ROUNDS ?? 5);

/** Runs argv[1:] with stdout to /dev/null; prints wall s, CPU s (user + sys) and peak RSS KiB of the child. */
const WRAPPER = `
import json, resource, subprocess, sys, time
t = time.perf_counter()
rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
wall = time.perf_counter() - t
u = resource.getrusage(resource.RUSAGE_CHILDREN)
rss = u.ru_maxrss / (1024 if sys.platform == 'darwin' else 1)
print(json.dumps({'rc': rc, 'wall': wall, 'cpu': u.ru_utime + u.ru_stime, 'rssKb': rss}))
`;

/** A day at 1 Hz for a CPU and a GPU: load cycles, temperature following power, noise. */
function generate(file, hours) {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, 'timestamp,device,util_pct,temp_c,power_w\n');
  const t0 = Date.UTC(2026, 0, 1) / 1000;
  let buf = '';
  let tc = 45, tg = 50;
  for (let i = 0; i < hours * 3600; i++) {
    const ts = new Date((t0 + i) * 1000).toISOString().replace('.000Z', `.${String(i % 1000).padStart(3, '0')}123Z`);
    const load = 0.5 + 0.45 * Math.sin(i / 900);
    const uc = Math.min(100, Math.max(0, 100 * load + 5 * (rnd() - 0.5)));
    const ug = Math.min(100, Math.max(0, 100 * load + 8 * (rnd() - 0.5)));
    const pc = 15 + 100 * load + 3 * (rnd() - 0.5);
    const pg = 30 + 170 * load + 6 * (rnd() - 0.5);
    tc += (35 + 0.4 * pc - tc) / 60 + 0.1 * (rnd() - 0.5);
    tg += (30 + 0.25 * pg - tg) / 90 + 0.1 * (rnd() - 0.5);
    buf += `${ts},cpu,${uc.toFixed(1)},${tc.toFixed(2)},${pc.toFixed(3)}\n${ts},gpu0,${ug.toFixed(1)},${tg.toFixed(2)},${pg.toFixed(3)}\n`;
    if (buf.length > 1 << 20) {
      fs.writeSync(fd, buf);
      buf = '';
    }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
  return hours * 3600 * 2;
}

/** One whole-process run: { wall, cpu } in seconds, rssMb. */
function measure(cmd, args) {
  const r = spawnSync(PYTHON, ['-c', WRAPPER, cmd, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${PYTHON} (timing ${cmd}) failed: ${r.stderr}`);
  const m = JSON.parse(r.stdout.trim().split('\n').at(-1));
  if (m.rc !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${m.rc}`);
  return { wall: m.wall, cpu: m.cpu, rssMb: m.rssKb / 1024 };
}

const rle = (input, output) => measure(process.execPath, [CLI, 'augment', input, '-o', output]);
const seedTool = (input, output) => measure(PYTHON, [SEED, '--in', input, '--out', output]);
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const loadavg = () => os.loadavg()[0].toFixed(2);

if (!fs.existsSync(CLI)) throw new Error(`no build at ${CLI}: run npm run build first`);
if (!fs.existsSync(SEED)) throw new Error(`no seed tool at ${SEED}`);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rle-bench-'));
try {
  const day = path.join(dir, 'day.csv');
  const rows = generate(day, 24);
  const mb = fs.statSync(day).size / 1e6;
  const load0 = loadavg();
  rle(day, path.join(dir, 'rle.csv')); // warm the file cache
  seedTool(day, path.join(dir, 'seed.csv'));
  const a = [], b = [];
  for (let i = 0; i < ROUNDS; i++) {
    const pair = [() => a.push(rle(day, path.join(dir, 'rle.csv'))), () => b.push(seedTool(day, path.join(dir, 'seed.csv')))];
    if (i % 2 === 1) pair.reverse();
    pair.forEach((run) => run());
  }
  const [rw, rc, sw, sc] = [median(a.map((x) => x.wall)), median(a.map((x) => x.cpu)), median(b.map((x) => x.wall)), median(b.map((x) => x.cpu))];
  const met = (x) => (x >= TARGET_RATIO ? 'met' : 'MISSED');
  console.log(
    `augment ${rows} rows (${mb.toFixed(1)} MB): rle ${rw.toFixed(3)} s, seed_rle_core.py ${sw.toFixed(2)} s (wall, medians of ${ROUNDS} interleaved runs) ` +
      `→ ${(sw / rw).toFixed(1)}× (target ≥ ${TARGET_RATIO}×: ${met(sw / rw)}); CPU ${rc.toFixed(3)} s vs ${sc.toFixed(2)} s → ${(sc / rc).toFixed(1)}×; ` +
      `load ${load0} → ${loadavg()} on ${os.availableParallelism()} CPUs`,
  );

  const four = path.join(dir, 'four.csv');
  const rows4 = generate(four, 96);
  const rss1 = median([0, 1, 2].map(() => rle(day, path.join(dir, 'o1.csv')).rssMb));
  const rss4 = median([0, 1, 2].map(() => rle(four, path.join(dir, 'o4.csv')).rssMb));
  console.log(
    `  rle peak RSS ${rss1.toFixed(1)} MB at 1× (${rows} rows), ${rss4.toFixed(1)} MB at 4× (${rows4} rows): ratio ${(rss4 / rss1).toFixed(2)} ` +
      `(flat ≈ 1; medians of 3); seed tool ${median(b.map((x) => x.rssMb)).toFixed(1)} MB at 1×`,
  );
  const version = median(Array.from({ length: ROUNDS }, () => measure(process.execPath, [CLI, '--version']).wall));
  const py = spawnSync(PYTHON, ['-c', 'import sys; print(sys.executable, sys.version.split()[0])'], { encoding: 'utf8' }).stdout.trim();
  console.log(`  rle --version (process start and module load): ${version.toFixed(3)} s wall, median of ${ROUNDS}; seed tool run by ${py}`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
