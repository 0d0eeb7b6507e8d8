/**
 * `rle report <session-id>`: the session's report from the store alone — report.html,
 * figure.png, figure.svg and summary.json in --out — or the summary as JSON (--json).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { loadStoredSession } from '../../analysis/series.js';
import { COUPLING_DEFAULTS } from '../../analysis/coupling/coupling.js';
import type { SpikeRule } from '../../analysis/coupling/spikes.js';
import { RleError } from '../../errors.js';
import { figureSpec, renderFigure } from '../../report/figure.js';
import { reportHtml } from '../../report/html.js';
import { buildReportSummary } from '../../report/summary.js';
import { fsErrorReason, writeFileAtomic } from '../../store/files.js';
import { nonNegative, nonNegativeInt, positiveInt } from '../options.js';
import { addStoreOption, openStore, storePath, type StoreFlags } from '../store-options.js';

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

export interface ReportFiles {
  dir: string;
  html: string;
}

/** Builds and writes the report of a stored session; returns where. Shared with `rle train --report`. */
export async function writeReport(id: string, flags: Omit<ReportFlags, 'json'>): Promise<{ files: ReportFiles | null; summary: ReturnType<typeof buildReportSummary> }> {
  const store = openStore(flags, { existing: true });
  if (!store?.has(id)) {
    store?.close();
    throw new RleError('E_SESSION', `no stored session "${id}" in ${storePath(flags)} (see rle sessions)`);
  }
  let data;
  try {
    data = loadStoredSession(store, id);
  } finally {
    store.close();
  }
  const known = data.devices.map((d) => d.device);
  const unknown = flags.device.filter((d) => !known.includes(d));
  if (unknown.length > 0) throw new RleError('E_OPTION', `--device ${unknown.join(',')}: not in this session (devices: ${known.join(', ') || 'none'})`);
  const devices = flags.device.length > 0 ? flags.device : known;
  const summary = buildReportSummary(data, { lagsS: flags.lags, windowS: flags.window, seed: flags.seed, draws: flags.draws, spikeRule: flags.spikeRule }, devices);
  if (flags.out === undefined) return { files: null, summary };
  const dir = flags.out;
  try {
    await fsp.mkdir(dir, { recursive: true });
  } catch (err) {
    throw new RleError('E_OUTPUT', `cannot create the report folder: ${fsErrorReason(err)}`, { file: dir });
  }
  const { svg, png } = await renderFigure(figureSpec(data, summary.coupling, devices));
  await writeFileAtomic(path.join(dir, 'figure.svg'), svg);
  await writeFileAtomic(path.join(dir, 'figure.png'), png);
  await writeFileAtomic(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  const html = path.join(dir, 'report.html');
  await writeFileAtomic(html, reportHtml(summary, svg));
  return { files: { dir, html }, summary };
}

export async function report(id: string, flags: ReportFlags): Promise<void> {
  const out = flags.json && flags.out === undefined ? undefined : (flags.out ?? `rle-report-${id}`);
  const { files, summary } = await writeReport(id, { ...flags, out });
  if (flags.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  if (files) (flags.json ? process.stderr : process.stdout).write(`rle report: wrote ${files.html} (with figure.png, figure.svg, summary.json)\n`);
  if (!flags.json) {
    for (const [dev, c] of Object.entries(summary.coupling)) process.stdout.write(`${dev}: ${c.verdict} — ${c.reason}\n`);
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
    .option('--device <name>', 'only this device (repeatable or comma-separated)', deviceList, []);
  addStoreOption(cmd);
  return cmd.action((id: string, flags: ReportFlags) => report(id, flags));
}
