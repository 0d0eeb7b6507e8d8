// Benchmark: `rle augment` on a generated 24 h, 1 Hz, two-device session (172,800 rows),
// end to end through the CLI (process start included), and its peak memory at 1× and 4× the
// file size (flat memory means streaming). Prints rows/s and ratios to the reference numbers.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const PYTHON_REFERENCE_S = 25; // the earlier Python tool on this machine, for this file (issue #2)
const TARGET_S = 0.5; // 50× faster than the reference
const RUNS = 5;

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

function timeAugment(input, output) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, 'augment', input, '-o', output], { stdio: ['ignore', 'ignore', 'pipe'] });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`augment failed: ${r.stderr}`);
  return s;
}

function peakRssMb(input, output) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'rss-run.mjs'), 'augment', input, '-o', output], { encoding: 'utf8' });
  const m = /RSS_KB=(\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`augment failed: ${r.stderr}`);
  return Number(m[1]) / 1024;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rle-bench-'));
try {
  const day = path.join(dir, 'day.csv');
  const rows = generate(day, 24);
  const mb = fs.statSync(day).size / 1e6;
  console.log(`input: ${rows} rows (24 h, 1 Hz, cpu + gpu0), ${mb.toFixed(1)} MB`);
  timeAugment(day, path.join(dir, 'out.csv')); // warm the file cache
  const times = Array.from({ length: RUNS }, () => timeAugment(day, path.join(dir, 'out.csv'))).sort((a, b) => a - b);
  const median = times[Math.floor(RUNS / 2)];
  console.log(`rle augment (CLI, process start included), ${RUNS} runs: median ${median.toFixed(3)} s, best ${times[0].toFixed(3)} s`);
  console.log(`  rows/s (median): ${Math.round(rows / median).toLocaleString('en-US')}`);
  console.log(`  vs Python reference ${PYTHON_REFERENCE_S} s: ${(PYTHON_REFERENCE_S / median).toFixed(1)}× faster`);
  console.log(`  vs target ${TARGET_S} s: ${(median / TARGET_S).toFixed(2)} of the budget (${median <= TARGET_S ? 'met' : 'MISSED'})`);

  const startup = Array.from({ length: RUNS }, () => {
    const t = process.hrtime.bigint();
    spawnSync(process.execPath, [CLI, '--version'], { stdio: 'ignore' });
    return Number(process.hrtime.bigint() - t) / 1e9;
  }).sort((a, b) => a - b)[Math.floor(RUNS / 2)];
  console.log(`  of which process start + module load (rle --version): ${startup.toFixed(3)} s`);

  const fourDays = path.join(dir, 'four.csv');
  const rows4 = generate(fourDays, 96);
  const rss1 = peakRssMb(day, path.join(dir, 'o1.csv'));
  const rss4 = peakRssMb(fourDays, path.join(dir, 'o4.csv'));
  console.log(`peak RSS: ${rss1.toFixed(1)} MB for ${rows} rows, ${rss4.toFixed(1)} MB for ${rows4} rows`);
  console.log(`  memory ratio 4× file / 1× file: ${(rss4 / rss1).toFixed(2)} (flat ≈ 1.0)`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
