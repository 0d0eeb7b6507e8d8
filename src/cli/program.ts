/**
 * The `rle` command tree. Errors propagate to main.ts, the only place that exits. Only the
 * command being run is loaded (each pulls in its own application modules: the trainer,
 * Vega, prom-client, protobufjs…); `rle --help` and an unknown command load them all.
 */
import { Command } from 'commander';
import { packageVersion } from '../version.js';

/** Name → its module's command factory, in the order `rle --help` lists them. */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  monitor: async () => (await import('./commands/monitor.js')).monitorCommand(),
  train: async () => (await import('./commands/train.js')).trainCommand(),
  run: async () => (await import('./commands/run.js')).runCommand(),
  workload: async () => (await import('./commands/workload.js')).workloadCommand(),
  characterize: async () => (await import('./commands/characterize.js')).characterizeCommand(),
  fingerprint: async () => (await import('./commands/fingerprint.js')).fingerprintCommand(),
  dashboard: async () => (await import('./commands/dashboard.js')).dashboardCommand(),
  sensors: async () => (await import('./commands/sensors.js')).sensorsCommand(),
  sessions: async () => (await import('./commands/sessions.js')).sessionsCommand(),
  analyze: async () => (await import('./commands/analyze.js')).analyzeCommand(),
  report: async () => (await import('./commands/report.js')).reportCommand(),
  compare: async () => (await import('./commands/compare.js')).compareCommand(),
  augment: async () => (await import('./commands/augment.js')).augmentCommand(),
  export: async () => (await import('./commands/export.js')).exportCommand(),
  import: async () => (await import('./commands/import.js')).importCommand(),
};

/** The subcommand `argv` names (its first word that is not an option), if any. */
function commandIn(argv: readonly string[]): string | undefined {
  return argv.slice(2).find((a) => !a.startsWith('-'));
}

export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command('rle')
    .description('thermal-efficiency probe: the RLE metric, efficiency collapses and session tools')
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .enablePositionalOptions();
  const name = commandIn(argv);
  const versionOnly = name === undefined && argv.slice(2).some((a) => a === '-V' || a === '--version');
  const wanted = versionOnly ? [] : name !== undefined && name in COMMANDS ? [name] : Object.keys(COMMANDS);
  for (const c of await Promise.all(wanted.map((n) => COMMANDS[n]!()))) program.addCommand(c);
  // Commander would exit on its own; we want one exit point and our own message format.
  const quiet = (c: Command): void => {
    c.exitOverride().configureOutput({ outputError: () => {} });
    c.commands.forEach(quiet);
  };
  quiet(program);
  return program;
}
