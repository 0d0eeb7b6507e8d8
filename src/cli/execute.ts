/**
 * One CLI invocation, with errors turned into messages and exit codes:
 * 0 success (and --help, --version), 2 usage errors, 1 failed runs. No stack traces for user
 * mistakes; RLE_DEBUG=1 shows them for internal errors. main.ts is the only caller that ends
 * the process; the fuzz test's host calls this in-process, case after case.
 */
import { CommanderError } from 'commander';
import { EXIT_FAILURE, EXIT_USAGE, RleError } from '../errors.js';
import { printable } from './output.js';
import { buildProgram } from './program.js';

function commandOf(argv: readonly string[]): string {
  const sub = argv.slice(2).find((a) => !a.startsWith('-'));
  return sub ? ` ${sub}` : '';
}

/** Writes the one `rle: error:` line and gives its exit code. */
export function failure(message: string, code: number): number {
  process.stderr.write(`rle: error: ${message}\n`);
  return code;
}

/**
 * Runs `argv` (node, script, args…). Resolves to the exit code when it must end the process
 * now (an error, --help, --version), or null after a command ran to its end: the process then
 * ends by itself with `process.exitCode` (a command sets it, e.g. `rle run` to its child's).
 */
export async function execute(argv: string[]): Promise<number | null> {
  try {
    await (await buildProgram(argv)).parseAsync(argv);
    return null;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      const msg = printable(err.message.replace(/^error: /, '').trimEnd());
      return failure(`${msg}\n(see: rle${commandOf(argv)} --help)`, EXIT_USAGE);
    }
    if (err instanceof RleError) return failure(`${printable(err.describe())} [${err.code}]`, err.exitCode);
    const e = err as Error;
    if (process.env.RLE_DEBUG) process.stderr.write(`${e.stack ?? String(e)}\n`);
    return failure(`internal error: ${printable(e.message ?? String(e))} (set RLE_DEBUG=1 for a stack trace)`, EXIT_FAILURE);
  }
}
