/**
 * The flags of every command that records a session (monitor, train, run, workload,
 * characterize), and their translation into the recorder's options.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { performance } from 'node:perf_hooks';
import { RATED_POWER_W } from '../core/constants.js';
import { RleError } from '../errors.js';
import type { RecorderOptions } from '../app/recorder.js';
import { SOURCE_NAMES } from '../sensors/registry.js';
import { parseListen } from '../serve/http.js';
import { addEngineOptions, anyNumber, engineOptionsFrom, nonNegative, type EngineFlags } from './options.js';
import { addStoreOption, storePath, type StoreFlags } from './store-options.js';

export interface RecordingFlags extends EngineFlags, StoreFlags {
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
  prometheus?: string;
  token?: string;
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

export function addRecordingOptions(cmd: Command): Command {
  cmd
    .addOption(new Option('--devices <list>', 'devices or classes to record, e.g. cpu,gpu').argParser(list).default([], 'all found'))
    .option('--name <name>', 'session name')
    .option('--model-name <name>', 'metadata: model being trained')
    .option('--training-mode <mode>', 'metadata: e.g. fine-tune, pretrain, inference')
    .option('--notes <text>', 'metadata: free text')
    .option('--ambient-temp <c>', 'metadata: ambient temperature, °C', anyNumber)
    .option('--estimate-power', 'fill a missing CPU power with idle + (rated − idle) × util, marked estimated')
    .option('--idle-power <w>', 'idle CPU power for --estimate-power, W (a guess: measure yours)', nonNegative, 10)
    .option('--csv <file>', 'also write the session CSV (renamed into place when the session completes or is interrupted; a failed session leaves none)')
    .option('--sysfs-root <dir>', 'root of sysfs', '/sys')
    .option('--procfs-root <dir>', 'root of procfs', '/proc')
    .option('--nvidia-smi <path>', 'nvidia-smi executable, or none', 'nvidia-smi')
    .addOption(new Option('--disable-sensor <source>', `skip a sensor source (${SOURCE_NAMES.join(', ')}); repeatable`).argParser(sensorName).default([], 'none'))
    .option('--stats-interval <s>', 'print a summary line every S seconds (0: never)', nonNegative, 60)
    .option('--prometheus <[host:]port>', 'serve /metrics (Prometheus/OpenMetrics text) while recording; host defaults to 127.0.0.1')
    .option('--token <token>', 'required on every request when serving beyond loopback (default $RLE_TOKEN)');
  addEngineOptions(cmd);
  addStoreOption(cmd);
  return cmd;
}

export interface RecordingContext {
  readonly kind: string;
  readonly durationS: number | null;
  /** Where the session id and capability lines go. */
  readonly log: (line: string) => void;
  /** Show the live status line (only on a terminal). */
  readonly statusLine: boolean;
  readonly manifest?: Record<string, unknown>;
  /** false: no sampling (`rle train --no-monitor`). */
  readonly sample?: boolean;
}

/** The recorder's options from the flags; throws usage errors before anything is opened. */
export function recorderOptions(flags: RecordingFlags, c: RecordingContext): RecorderOptions {
  if (flags.hz > MAX_HZ) throw new RleError('E_OPTION', `--hz ${flags.hz}: at most ${MAX_HZ} Hz`);
  const engine = engineOptionsFrom(flags);
  return {
    kind: c.kind,
    name: flags.name ?? null,
    db: storePath(flags),
    manifest: {
      ...c.manifest,
      user: { model_name: flags.modelName ?? null, training_mode: flags.trainingMode ?? null, notes: flags.notes ?? null, ambient_temp_c: flags.ambientTemp ?? null },
      roots: { sysfs: flags.sysfsRoot, procfs: flags.procfsRoot, nvidia_smi: flags.nvidiaSmi },
    },
    sampling:
      c.sample === false
        ? null
        : {
            hz: flags.hz,
            durationS: c.durationS,
            devices: flags.devices,
            estimatePower: flags.estimatePower ? { idleW: flags.idlePower, ratedW: flags.rated?.cpu ?? RATED_POWER_W.cpu } : null,
            sensors: {
              sysfsRoot: flags.sysfsRoot,
              procfsRoot: flags.procfsRoot,
              nvidiaSmi: flags.nvidiaSmi === 'none' ? null : flags.nvidiaSmi,
              periodMs: 1000 / flags.hz,
              now: () => performance.now(),
            },
            disabledSources: flags.disableSensor,
            engine,
          },
    csv: flags.csv ?? null,
    prometheus: flags.prometheus === undefined ? null : { listen: parseListen(flags.prometheus, '--prometheus'), token: flags.token ?? process.env.RLE_TOKEN },
    statusLine: c.statusLine ? (s) => void process.stderr.write(s) : null,
    statsIntervalS: flags.statsInterval,
    log: c.log,
  };
}
