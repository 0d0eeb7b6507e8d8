#!/usr/bin/env node
/**
 * The only place that turns errors into messages and exit codes:
 * 0 success (and --help, --version), 2 usage errors, 1 failed runs. No stack traces for user
 * mistakes; RLE_DEBUG=1 shows them for internal errors.
 */
import { CommanderError } from 'commander';
import { EXIT_FAILURE, EXIT_USAGE, RleError } from '../errors.js';
import { fsErrorReason, removePendingOutputs } from '../store/files.js';
import { printable } from './output.js';
import { buildProgram } from './program.js';
import { installSignalHandlers } from './signals.js';

/** The one exit: temp files of unfinished outputs are removed first. */
function exit(code: number): never {
  removePendingOutputs();
  process.exit(code);
}

function fail(message: string, code: number): never {
  process.stderr.write(`rle: error: ${message}\n`);
  exit(code);
}

function commandOf(argv: readonly string[]): string {
  const sub = argv.slice(2).find((a) => !a.startsWith('-'));
  return sub ? ` ${sub}` : '';
}

async function main(argv: string[]): Promise<void> {
  // `rle … | head` closes our stdout early: that is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') exit(0);
    fail(`standard output: cannot write: ${fsErrorReason(e)} [E_OUTPUT]`, EXIT_FAILURE);
  });
  installSignalHandlers(exit);
  try {
    await (await buildProgram(argv)).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') exit(0);
      const msg = printable(err.message.replace(/^error: /, '').trimEnd());
      fail(`${msg}\n(see: rle${commandOf(argv)} --help)`, EXIT_USAGE);
    }
    if (err instanceof RleError) fail(`${printable(err.describe())} [${err.code}]`, err.exitCode);
    const e = err as Error;
    if (process.env.RLE_DEBUG) process.stderr.write(`${e.stack ?? String(e)}\n`);
    fail(`internal error: ${printable(e.message ?? String(e))} (set RLE_DEBUG=1 for a stack trace)`, EXIT_FAILURE);
  }
}

await main(process.argv);
