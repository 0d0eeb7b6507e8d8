#!/usr/bin/env node
/**
 * The process: the only place that calls process.exit (execute.ts turns errors into messages
 * and codes). Temp files of unfinished outputs are removed before any exit.
 */
import { EXIT_FAILURE } from '../errors.js';
import { fsErrorReason, removePendingOutputs } from '../store/files.js';
import { execute, failure } from './execute.js';
import { installSignalHandlers } from './signals.js';

function exit(code: number): never {
  removePendingOutputs();
  process.exit(code);
}

// `rle … | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') exit(0);
  exit(failure(`standard output: cannot write: ${fsErrorReason(e)} [E_OUTPUT]`, EXIT_FAILURE));
});
installSignalHandlers(exit);
const code = await execute(process.argv);
if (code !== null) exit(code);
