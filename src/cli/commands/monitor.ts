/** `rle monitor`: sample this machine's sensors, compute RLE live, store the session. */
import { Command, InvalidArgumentError } from 'commander';
import { performance } from 'node:perf_hooks';
import { RATED_POWER_W } from '../../core/constants.js';
import { Monitor, type TickReport } from '../../monitor/monitor.js';
import { SOURCE_NAMES } from '../../sensors/registry.js';
import { SessionCsvWriter } from '../../store/csv-writer.js';
import { AtomicOutput } from '../../store/files.js';
import { RleError } from '../../errors.js';
import { addEngineOptions, anyNumber, engineOptionsFrom, nonNegative, positive, type EngineFlags } from '../options.js';
import { fmt } from '../output.js';
import { onStopSignal } from '../signals.js';
import { addStoreOption, openStore, type StoreFlags } from '../store-options.js';
import { packageVersion } from '../version.js';
import { renderSummary } from './analyze.js';
import { storedRowToCsv } from './export.js';

interface MonitorFlags extends EngineFlags, StoreFlags {
  duration?: number;
  devices: string[];
  name?: string;
  modelName?: string;
  trainingMode?: string;
  notes?: string;
  ambientTemp?: number;
  estimatePower?: boolean;
  idlePower: number;
  csv?: string;
  sysfsRoot: string;
  procfsRoot: string;
  nvidiaSmi: string;
  disableSensor: string[];
  statsInterval: number;
  json?: boolean;
}

/** Sampling above this rate measures the probe more than the machine (Hz). */
const MAX_HZ = 50;

function list(raw: string, prev: string[] = []): string[] {
  return [...prev, ...raw.split(',').map((s) => s.trim()).filter(Boolean)];
}

function sensorName(raw: string, prev: string[] = []): string[] {
  if (!SOURCE_NAMES.includes(raw)) throw new InvalidArgumentError(`unknown sensor source; one of ${SOURCE_NAMES.join(', ')}.`);
  return [...prev, raw];
}

function statusLine(r: TickReport): string {
  const parts = r.samples.map((s, i) => {
    const m = r.metrics[i]!;
    const temp = s.temp_c === null ? 'n/a' : `${fmt(s.temp_c)}°C`;
    const power = s.power_w === null ? 'n/a' : `${fmt(s.power_w)}W${s.power_src === 'estimated' ? '(est)' : ''}`;
    return `${s.device} ${fmt(s.util_pct)}% ${temp} ${power} rle ${fmt(m.rle_smoothed)}${m.collapse ? ' COLLAPSE' : ''}`;
  });
  return `[${new Date(r.tick.actualS * 1000).toISOString().slice(11, 19)}] ${parts.join(' | ')}`;
}

export async function monitor(flags: MonitorFlags): Promise<void> {
  if (flags.hz > MAX_HZ) throw new RleError('E_OPTION', `--hz ${flags.hz}: at most ${MAX_HZ} Hz`);
  const store = openStore(flags);
  const engine = engineOptionsFrom(flags);
  const ratedCpu = flags.rated?.cpu ?? RATED_POWER_W.cpu;
  const mon = new Monitor({
    hz: flags.hz,
    durationS: flags.duration ?? null,
    devices: flags.devices,
    estimatePower: flags.estimatePower ? { idleW: flags.idlePower, ratedW: ratedCpu } : null,
    sensors: {
      sysfsRoot: flags.sysfsRoot,
      procfsRoot: flags.procfsRoot,
      nvidiaSmi: flags.nvidiaSmi === 'none' ? null : flags.nvidiaSmi,
      periodMs: 1000 / flags.hz,
      now: () => performance.now(),
    },
    disabledSources: flags.disableSensor,
    engine,
    store,
    // The first failure, then one line per 100, so a persistent one is seen but does not flood.
    onError: (e, n) => {
      if (n === 1 || n % 100 === 0) process.stderr.write(`\nrle monitor: warning: tick failed (${n} so far): ${(e as Error).message}\n`);
    },
    kind: 'monitor',
    name: flags.name ?? null,
    manifest: {
      tool: { name: 'rle', version: packageVersion() },
      user: {
        model_name: flags.modelName ?? null,
        training_mode: flags.trainingMode ?? null,
        notes: flags.notes ?? null,
        ambient_temp_c: flags.ambientTemp ?? null,
      },
      roots: { sysfs: flags.sysfsRoot, procfs: flags.procfsRoot, nvidia_smi: flags.nvidiaSmi },
    },
  });
  const info = (s: string): boolean => (flags.json ? process.stderr : process.stdout).write(s + '\n');
  let csv: AtomicOutput | null = null;
  let csvWriter: SessionCsvWriter | null = null;
  try {
    const id = await mon.open();
    if (mon.capabilities.length === 0) {
      const which = flags.devices.length > 0 ? ` matching --devices ${flags.devices.join(',')}` : '';
      throw new RleError('E_SENSOR', `no device to monitor${which}: no utilization source found (see rle sensors)`);
    }
    info(`session ${id}`);
    for (const line of mon.capabilities) info(line);
    if (flags.csv) {
      csv = await AtomicOutput.open(flags.csv);
      // The extra columns are the readings of the first tick (a reading that appears later is
      // in the store and in `rle export`, not in this stream).
      mon.onTick((r) => {
        if (!csvWriter) {
          csvWriter = new SessionCsvWriter([...new Set(r.samples.flatMap((x) => Object.keys(x.extra ?? {})))]);
          csv!.stream.write(csvWriter.headerLine());
        }
        const w = csvWriter;
        let s = '';
        r.samples.forEach((sample, i) => (s += storedRowToCsv(w, { sample, metric: r.metrics[i]! })));
        csv!.stream.write(s);
      });
    }
    const tty = process.stderr.isTTY && !flags.json;
    if (tty) mon.onTick((r) => void process.stderr.write(`\r\x1b[K${statusLine(r)}`));
    let lastStats = performance.now();
    mon.onTick(() => {
      if (flags.statsInterval > 0 && performance.now() - lastStats >= flags.statsInterval * 1000) {
        lastStats = performance.now();
        const s = mon.summary.result('', 0, 0);
        const line = Object.entries(s.devices)
          .map(([d, x]) => `${d}: ${x.samples} samples, rle_smoothed mean ${fmt(x.rle_smoothed.mean)}, ${x.collapse_events} collapse events`)
          .join(' | ');
        process.stderr.write(`${tty ? '\r\x1b[K' : ''}rle monitor: ${line}\n`);
      }
    });
    onStopSignal(() => void mon.stop('completed'));
    await mon.run();
    await mon.stop('completed');
    onStopSignal(null);
    if (tty) process.stderr.write('\n');
    if (csv && !csvWriter) csv.stream.write(new SessionCsvWriter().headerLine()); // stopped before the first tick
    await csv?.commit();
  } catch (e) {
    await mon.stop('failed').catch(() => undefined);
    await csv?.abort();
    store.close();
    throw e;
  }
  const status = store.get(mon.sessionId).status;
  const partial = mon.summary.result(mon.sessionId, 0, 0);
  const rows = Object.values(partial.devices).reduce((n, d) => n + d.samples, 0);
  const summary = { ...partial, rows };
  store.close();
  if (flags.json) process.stdout.write(JSON.stringify({ session: mon.sessionId, status, summary }, null, 2) + '\n');
  else process.stdout.write('\n' + renderSummary(summary, mon.summary.notes()));
}

export function monitorCommand(): Command {
  const cmd = new Command('monitor')
    .description('sample this machine (utilization, temperature, power), compute RLE live, store the session')
    .option('--duration <s>', 'stop after this many seconds (default: until Ctrl-C)', positive)
    .option('--devices <list>', 'devices or classes to record, e.g. cpu,gpu (default: all found)', list, [])
    .option('--name <name>', 'session name')
    .option('--model-name <name>', 'metadata: model being trained')
    .option('--training-mode <mode>', 'metadata: e.g. fine-tune, pretrain, inference')
    .option('--notes <text>', 'metadata: free text')
    .option('--ambient-temp <c>', 'metadata: ambient temperature, °C', anyNumber)
    .option('--estimate-power', 'fill a missing CPU power with idle + (rated − idle) × util, marked estimated')
    .option('--idle-power <w>', 'idle CPU power for --estimate-power, W (a guess: measure yours)', nonNegative, 10)
    .option('--csv <file>', 'also write the session CSV (renamed into place when the run ends)')
    .option('--sysfs-root <dir>', 'root of sysfs', '/sys')
    .option('--procfs-root <dir>', 'root of procfs', '/proc')
    .option('--nvidia-smi <path>', 'nvidia-smi executable, or none', 'nvidia-smi')
    .option('--disable-sensor <source>', `skip a sensor source (${SOURCE_NAMES.join(', ')}); repeatable`, sensorName, [])
    .option('--stats-interval <s>', 'print a summary line every S seconds (0: never)', nonNegative, 60)
    .option('--json', 'print {"session", "status", "summary"} as JSON at the end');
  addEngineOptions(cmd);
  addStoreOption(cmd);
  return cmd.action((flags: MonitorFlags) => monitor(flags));
}
