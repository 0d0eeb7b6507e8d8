/**
 * `rle report <session-id>`: the session's report from the store alone — report.html,
 * figure.png, figure.svg and summary.json in --out — or the summary as JSON (--json).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import path from 'node:path';
import { writeReportFolder } from '../../app/report.js';
import { ReportInterrupted, reportInWorker } from '../../app/report-threads.js';
import { COUPLING_DEFAULTS } from '../../analysis/coupling/coupling.js';
import type { SpikeRule } from '../../analysis/coupling/spikes.js';
import { nonNegative, nonNegativeInt, positiveInt } from '../options.js';
import { stoppable } from '../signals.js';
import { addStoreOption, storePath, type StoreFlags } from '../store-options.js';

interface ReportFlags extends StoreFlags {
  out?: string;
  json?: boolean;
  lags: number;
  window: number;
  seed: number;
  draws: number;
  spikeRule: SpikeRule;
  device: string[];
}

/**
 * The report is computed on a worker thread; Ctrl-C/SIGTERM during it stops it at once (exit
 * 130/143, nothing written). Once it is computed, the folder is written here (a signal then
 * ends the process the default way, which removes the half-written temp folder).
 */
export async function report(id: string, flags: ReportFlags): Promise<void> {
  const files = !(flags.json && flags.out === undefined);
  const stop = stoppable('report');
  let r;
  try {
    const coupling = { ...COUPLING_DEFAULTS, lagsS: flags.lags, windowS: flags.window, seed: flags.seed, draws: flags.draws, spikeRule: flags.spikeRule };
    r = await reportInWorker(id, { db: storePath(flags), devices: flags.device, coupling }, files, stop.signal);
  } catch (e) {
    if (!(e instanceof ReportInterrupted)) throw e;
    stop.interrupted(e.message);
    return;
  } finally {
    stop.done();
  }
  const dir = files ? (flags.out ?? `rle-report-${r.id}`) : null;
  const buffers = (parts: Uint8Array[]): Buffer[] => parts.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  if (dir) await writeReportFolder(dir, Object.fromEntries(Object.entries(r.files!).map(([name, parts]) => [name, buffers(parts)])));
  if (flags.json) for (const part of r.summary) process.stdout.write(part);
  if (dir) (flags.json ? process.stderr : process.stdout).write(`rle report: wrote ${path.join(dir, 'report.html')} (with figure.png, figure.svg, summary.json)\n`);
  if (!flags.json) {
    process.stdout.write(`throttling: ${r.headline}\n`);
    for (const v of r.verdicts) process.stdout.write(`${v.device}: ${v.verdict} — ${v.reason}\n`);
  }
}

function deviceList(raw: string, prev: string[] = []): string[] {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('give a device name.');
  return [...prev, ...items];
}

export function reportCommand(): Command {
  const cmd = new Command('report')
    .description('a stored session\'s report: training and thermal summaries, learning–thermal coupling, figure (HTML, PNG, SVG, JSON)')
    .argument('<session-id>', 'stored session id (or a unique prefix)')
    .option('--out <dir>', 'folder for report.html, figure.png, figure.svg, summary.json (default rle-report-<id>)')
    .option('--json', 'print the summary as JSON (files are written only with --out)')
    .option('--lags <s>', 'largest lag of the correlations, seconds', nonNegative, COUPLING_DEFAULTS.lagsS)
    .option('--window <s>', 'spike ↔ collapse coincidence window ±s', nonNegative, COUPLING_DEFAULTS.windowS)
    .option('--seed <n>', 'seed of the permutation tests', nonNegativeInt, COUPLING_DEFAULTS.seed)
    .option('--draws <n>', 'null draws per test: surrogates (correlations), circular shifts (coincidences)', positiveInt, COUPLING_DEFAULTS.draws)
    .addOption(new Option('--spike-rule <rule>', 'grad_norm spikes: robust (rolling median + 3 MAD) or mean-sd (the original study\'s)').choices(['robust', 'mean-sd']).default('robust'))
    .addOption(new Option('--device <name>', 'only this device (repeatable or comma-separated)').argParser(deviceList).default([], 'every device'));
  addStoreOption(cmd);
  return cmd.action((id: string, flags: ReportFlags) => report(id, flags));
}
