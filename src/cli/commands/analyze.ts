/** `rle analyze <in.csv> [--json]`: a per-device summary of a session, metric recomputed. */
import { Command } from 'commander';
import fs from 'node:fs';
import { RleError } from '../../errors.js';
import type { EngineOptions } from '../../core/device.js';
import { SessionEngine } from '../../core/engine.js';
import type { SessionStore } from '../../store/session-store.js';
import { addStoreOption, openStore, storePath, type StoreFlags } from '../store-options.js';
import { ratedFromManifest } from '../../replay/series.js';
import { SummaryBuilder, type SessionSummary } from '../../analysis/summary.js';
import { replaySession } from '../../replay/csv.js';
import { openInput } from '../../store/files.js';
import { addMapOptions, readMapOptions, type MapFlags } from '../map-options.js';
import { addEngineOptions, engineOptionsFrom, type EngineFlags } from '../options.js';
import { fmt } from '../output.js';
import { reportReadProblems, reportUnusedKeys } from '../session-input.js';

interface AnalyzeFlags extends EngineFlags, StoreFlags, MapFlags {
  json?: boolean;
  device?: string;
}

function pct(x: number | null): string {
  return x === null ? 'n/a' : `${(100 * x).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`;
}

function duration(s: number | null): string {
  if (s === null) return 'n/a';
  if (s < 120) return `${fmt(s)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(2)} h`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One block per device: readable at 80 columns, every figure labelled with its unit. */
export function renderSummary(s: SessionSummary, notes: readonly string[]): string {
  const names = Object.keys(s.devices);
  let out = `${s.source}: ${plural(s.rows, 'row')}, ${s.malformed_rows} malformed, ${plural(names.length, 'device')}\n`;
  for (const name of names) {
    const d = s.devices[name]!;
    const longest = d.gaps.longest_s === null ? '' : `, longest step ${duration(d.gaps.longest_s)}`;
    const power = d.power_w.measured_share
      ? `mean ${fmt(d.power_w.mean)} W, max ${fmt(d.power_w.max)} W, measured on ${pct(d.power_w.measured_share)} of samples`
      : 'not measured (a_load estimated from utilization)';
    const temp = d.temp_c.available_share
      ? `mean ${fmt(d.temp_c.mean)} °C, max ${fmt(d.temp_c.max)} °C, available on ${pct(d.temp_c.available_share)} of samples`
      : 'not available';
    out += [
      '',
      `${name}: ${plural(d.samples, 'sample')} over ${duration(d.duration_s)}, ${plural(d.gaps.count, 'gap')}${longest}`,
      `  collapse      ${plural(d.collapse_samples, 'sample')} (${pct(d.collapse_rate)}), ${plural(d.collapse_events, 'event')}`,
      `  rle_smoothed  mean ${fmt(d.rle_smoothed.mean)}, min ${fmt(d.rle_smoothed.min)}, max ${fmt(d.rle_smoothed.max)}`,
      `  E_th, E_pw    mean ${fmt(d.E_th_mean)}, ${fmt(d.E_pw_mean)}`,
      `  power         ${power}`,
      `  temperature   ${temp}`,
      `  utilization   mean ${fmt(d.util_pct_mean)} %`,
    ].join('\n') + '\n';
  }
  if (notes.length > 0) out += '\nNotes:\n' + notes.map((n) => `  - ${n}\n`).join('');
  return out;
}

/** A stored session's readings through the engine (metrics recomputed with the given options). */
function analyzeStored(store: SessionStore, id: string, engineOptions: EngineOptions, builder: SummaryBuilder): { session: string; rows: number; engine: SessionEngine } {
  const session = store.get(id);
  const engine = new SessionEngine({ ...engineOptions, rated: { ...ratedFromManifest(session.manifest), ...engineOptions.rated } });
  let rows = 0;
  for (const { sample: s } of store.rows(session.id)) {
    const m = engine.push(s.device, s);
    const metric = s.power_src === 'estimated' ? { ...m, power_source: 'estimated' as const } : m;
    builder.add(s.device, s.t, s.util_pct, s.temp_c, s.power_w, metric);
    rows++;
  }
  return { session: session.id, rows, engine };
}

export async function analyze(input: string, flags: AnalyzeFlags): Promise<void> {
  const engineOptions = engineOptionsFrom(flags);
  const builder = new SummaryBuilder(engineOptions.dtS ?? 1);
  let summary: SessionSummary;
  if (input !== '-' && !fs.existsSync(input) && /^[\w-]+$/.test(input)) {
    const store = openStore(flags, { existing: true });
    if (!store?.has(input)) {
      store?.close();
      throw new RleError('E_INPUT_MISSING', `cannot read: no such file, nor a stored session by that id in ${storePath(flags)}`, { file: input });
    }
    try {
      const r = analyzeStored(store, input, engineOptions, builder);
      summary = builder.result(r.session, r.rows, 0);
      reportUnusedKeys('analyze', flags, r.engine);
    } finally {
      store.close();
    }
  } else {
    const source = await openInput(input);
    const result = await replaySession(source, { source: input, device: flags.device, ...readMapOptions(flags) }, engineOptions, {
      onBatch: (rows, metrics) => {
        for (let i = 0; i < rows.length; i++) {
          const r = rows[i]!;
          builder.add(r.device, r.t, r.util_pct, r.temp_c, r.power_w, metrics[i]!);
        }
      },
    });
    summary = builder.result(input, result.stats.rows, result.stats.malformed.count);
    reportReadProblems('analyze', input, result.stats);
    reportUnusedKeys('analyze', flags, result.engine);
  }
  if (flags.json) {
    for (const n of builder.notes()) process.stderr.write(`rle analyze: note: ${n}\n`);
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  } else process.stdout.write(renderSummary(summary, builder.notes()));
}

export function analyzeCommand(): Command {
  const cmd = new Command('analyze')
    .description('per-device summary of a session CSV: gaps, collapses, rle_smoothed, E_th/E_pw, power, temperature')
    .argument('<input>', 'session CSV (- for standard input) or stored session id')
    .option('--json', 'print the summary as JSON on standard output')
    .option('--device <name>', 'device name for a CSV without a device column');
  addMapOptions(cmd);
  addEngineOptions(cmd);
  addStoreOption(cmd);
  return cmd.action((input: string, flags: AnalyzeFlags) => analyze(input, flags));
}
