/** The `rle` command tree. Errors propagate to main.ts, the only place that exits. */
import { Command } from 'commander';
import { analyzeCommand } from './commands/analyze.js';
import { characterizeCommand } from './commands/characterize.js';
import { compareCommand } from './commands/compare.js';
import { dashboardCommand } from './commands/dashboard.js';
import { augmentCommand } from './commands/augment.js';
import { exportCommand } from './commands/export.js';
import { fingerprintCommand } from './commands/fingerprint.js';
import { importCommand } from './commands/import.js';
import { monitorCommand } from './commands/monitor.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { sensorsCommand } from './commands/sensors.js';
import { sessionsCommand } from './commands/sessions.js';
import { trainCommand } from './commands/train.js';
import { workloadCommand } from './commands/workload.js';
import { packageVersion } from '../version.js';

export function buildProgram(): Command {
  const program = new Command('rle')
    .description('thermal-efficiency probe: the RLE metric, efficiency collapses and session tools')
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .enablePositionalOptions()
    .addCommand(monitorCommand())
    .addCommand(trainCommand())
    .addCommand(runCommand())
    .addCommand(workloadCommand())
    .addCommand(characterizeCommand())
    .addCommand(fingerprintCommand())
    .addCommand(dashboardCommand())
    .addCommand(sensorsCommand())
    .addCommand(sessionsCommand())
    .addCommand(analyzeCommand())
    .addCommand(reportCommand())
    .addCommand(compareCommand())
    .addCommand(augmentCommand())
    .addCommand(exportCommand())
    .addCommand(importCommand());
  // Commander would exit on its own; we want one exit point and our own message format.
  const quiet = (c: Command): void => {
    c.exitOverride().configureOutput({ outputError: () => {} });
    c.commands.forEach(quiet);
  };
  quiet(program);
  return program;
}
