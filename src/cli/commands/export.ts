/** `rle export <id> [-o file.csv]`: a stored session as the session CSV of the spec. */
import { Command } from 'commander';
import { exportSession } from '../../app/export-session.js';
import { addStoreOption, storePath, type StoreFlags } from '../store-options.js';

interface ExportFlags extends StoreFlags {
  output?: string;
  steps?: boolean;
}

export function exportCommand(): Command {
  const cmd = new Command('export')
    .description('write a stored session as a session CSV (spec columns, power_source, then the other readings by id)')
    .argument('<session>', 'session id (or a unique prefix)')
    .option('-o, --output <file>', 'write here (atomically) instead of standard output')
    .option('--steps', 'the training steps instead: step, t (ISO UTC), loss, grad_norm, learning_rate, epoch, tokens');
  addStoreOption(cmd);
  return cmd.action((id: string, flags: ExportFlags) => exportSession(id, { db: storePath(flags), output: flags.output ?? null, steps: !!flags.steps, stdout: process.stdout }));
}
