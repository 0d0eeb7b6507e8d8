/**
 * Ctrl-C and SIGTERM. By default they end the process (130/143, through main's exit). A
 * long-running command (monitor, train, run, workload) registers a graceful stop instead; a
 * second signal forces the exit.
 */
let graceful: ((signal: NodeJS.Signals) => void) | null = null;
let signalled = false;

/** @param exit how main ends the process with a code (it removes pending temp outputs first) */
export function installSignalHandlers(exit: (code: number) => void): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (graceful && !signalled) {
        signalled = true;
        graceful(sig);
        return;
      }
      exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

/** While set, the first Ctrl-C/SIGTERM calls `stop` instead of exiting. */
export function onStopSignal(stop: ((signal: NodeJS.Signals) => void) | null): void {
  graceful = stop;
  signalled = false;
}

/**
 * For a command that stops cleanly part-way (import, report): the first Ctrl-C/SIGTERM aborts
 * `signal`; `interrupted` then says so on stderr and sets the exit code (130/143). Call `done`
 * when the work is over (later signals end the process the default way).
 */
export function stoppable(command: string): { signal: AbortSignal; interrupted: (message: string) => void; done: () => void } {
  const stop = new AbortController();
  let received: NodeJS.Signals = 'SIGTERM';
  onStopSignal((sig) => {
    received = sig;
    stop.abort();
  });
  return {
    signal: stop.signal,
    interrupted: (message) => {
      process.stderr.write(`rle ${command}: ${received}: ${message}\n`);
      process.exitCode = received === 'SIGINT' ? 130 : 143;
    },
    done: () => onStopSignal(null),
  };
}
