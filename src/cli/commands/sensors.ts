/** `rle sensors [--json]`: what this machine can measure, each reading with its status and reason. */
import { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import { SensorSet, primaries, type SourceHealth } from '../../sensors/registry.js';
import { shortSource, type Reading } from '../../sensors/types.js';
import { fmt } from '../../report/format.js';

interface SensorsFlags {
  sysfsRoot: string;
  procfsRoot: string;
  nvidiaSmi: string;
  json?: boolean;
}

/** Delta-based readings (utilization, RAPL power) need two reads this far apart, ms. */
const SETTLE_MS = 250;

export async function sensors(flags: SensorsFlags): Promise<void> {
  const set = await SensorSet.open({
    sysfsRoot: flags.sysfsRoot,
    procfsRoot: flags.procfsRoot,
    nvidiaSmi: flags.nvidiaSmi === 'none' ? null : flags.nvidiaSmi,
    periodMs: SETTLE_MS,
    now: () => performance.now(),
  });
  let readings: Reading[];
  let health: SourceHealth[];
  try {
    await set.read(2000);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    ({ readings, health } = await set.read(2000));
  } finally {
    await set.close();
  }
  // Of several candidates for one device's temperature (hwmon, thermal zone), one is used.
  const used = new Set([...primaries(readings).values()].flatMap((p) => Object.values(p)));
  if (flags.json) {
    const out = readings.map((r) => ({
      id: r.id,
      device: r.device,
      kind: r.kind,
      status: r.status,
      value: r.value,
      unit: r.unit,
      source: r.source,
      reason: r.reason,
      ...(r.primary ? { primary: used.has(r) } : {}),
      ...(r.detail ? { detail: r.detail } : {}),
    }));
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  const w = Math.max(...readings.map((r) => r.id.length), 2);
  for (const r of readings) {
    const value = r.status === 'ok' ? (r.value === null ? (r.detail ?? '') : `${fmt(r.value, 4)} ${r.unit}${r.detail ? ` (${r.detail})` : ''}`) : `${r.status}: ${r.reason ?? ''}`;
    const mark = r.primary ? (used.has(r) ? '*' : '-') : ' ';
    process.stdout.write(`${mark} ${r.id.padEnd(w)}  ${value}  [${shortSource(r.source)}]\n`);
  }
  process.stdout.write('\n* feeds the RLE metric for its device   - an alternative not used (another source wins)\n');
  // A source is down when its read failed (a dead nvidia-smi, an I/O error); absent hardware is not down.
  const down = health.filter((h) => !h.up);
  process.stdout.write(`\nsources: ${health.map((h) => `${h.name} ${h.up ? 'up' : 'DOWN'}`).join(', ')}\n`);
  for (const h of down) process.stdout.write(`  ${h.name}: ${h.error}\n`);
}

export function sensorsCommand(): Command {
  return new Command('sensors')
    .description('list what this machine can measure, with status and reasons')
    .option('--sysfs-root <dir>', 'root of sysfs', '/sys')
    .option('--procfs-root <dir>', 'root of procfs', '/proc')
    .option('--nvidia-smi <path>', 'nvidia-smi executable, or none', 'nvidia-smi')
    .option('--json', 'print as JSON')
    .action((flags: SensorsFlags) => sensors(flags));
}
