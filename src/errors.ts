/**
 * Typed errors with a stable machine-readable code and an exit code. Library code throws
 * these; only src/cli/execute.ts turns them into a message and an exit code (main.ts exits).
 */

/** Exit codes: 2 for usage (bad command line), 1 for a run that failed (bad input, I/O). */
export const EXIT_USAGE = 2;
export const EXIT_FAILURE = 1;

export type ErrorCode =
  | 'E_USAGE' // unknown command/option, missing argument
  | 'E_OPTION' // an option value that does not parse or is out of range
  | 'E_INPUT_MISSING' // file not found or unreadable
  | 'E_INPUT_FORMAT' // not a CSV, bad quoting, empty
  | 'E_INPUT_COLUMNS' // a required column is absent
  | 'E_OUTPUT' // output could not be written
  | 'E_SESSION' // no stored session by that id, or an ambiguous prefix
  | 'E_STORE' // the session store cannot be opened or written
  | 'E_SENSOR' // the sensors needed for a run are missing
  | 'E_TRAINING'; // training diverged (non-finite loss or gradient)

const EXIT_OF: Record<ErrorCode, number> = {
  E_USAGE: EXIT_USAGE,
  E_OPTION: EXIT_USAGE,
  E_INPUT_MISSING: EXIT_FAILURE,
  E_INPUT_FORMAT: EXIT_FAILURE,
  E_INPUT_COLUMNS: EXIT_FAILURE,
  E_OUTPUT: EXIT_FAILURE,
  E_SESSION: EXIT_FAILURE,
  E_STORE: EXIT_FAILURE,
  E_SENSOR: EXIT_FAILURE,
  E_TRAINING: EXIT_FAILURE,
};

export interface ErrorWhere {
  /** File (or `-` for stdin) the error is about. */
  readonly file?: string;
  /** 1-based physical line in that file. */
  readonly line?: number;
}

export class RleError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly where: ErrorWhere;

  constructor(code: ErrorCode, message: string, where: ErrorWhere = {}) {
    super(message);
    this.name = 'RleError';
    this.code = code;
    this.exitCode = EXIT_OF[code];
    this.where = where;
  }

  /** `file:line: message` (the parts that are known). */
  describe(): string {
    const { file, line } = this.where;
    const at = file === undefined ? '' : line === undefined ? `${file}: ` : `${file}:${line}: `;
    return at + this.message;
  }
}
